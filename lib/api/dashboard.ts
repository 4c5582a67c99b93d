import 'server-only';
import { SNAPSHOT_POINTS, panelTextChars, parseView, presetsWithin, toTimeWindow, type TimeWindow, type View } from '@/lib/dashboard';
import { getRuntime } from '@/lib/runtime';
import type { QueryLimits } from '@/lib/series';
import type { Snapshot } from '@/lib/store';
import { queryLimits, workLimit } from './limits';

/** What the server-rendered dashboard hands to the browser. */
export interface DashboardData {
  view: View;
  /** Window presets within the retention, and the window a URL without `?window=` gets. */
  presets: TimeWindow[];
  defaultWindow: string;
  retentionMs: number;
  intervalMs: number;
  instance: string;
  /** The caps the browser checks the filter against as it is typed. */
  limits: QueryLimits;
  snapshot: Snapshot;
}

/**
 * The snapshot for the view a dashboard URL asks for, taken with the cursor the client's stream
 * continues from. A paused range older than the window widens the snapshot back to its start.
 * The page is rendered with the link's filter applied: one that could cost more than
 * QUERY_MAX_WORK over the panels of every series held is not (the page says so).
 */
export function dashboardData(params: Record<string, string | string[] | undefined>): DashboardData {
  const { env, store } = getRuntime();
  const retentionMs = env.HISTORY_RETENTION;
  const limits = queryLimits(env);
  const work = params.q ? workLimit(env, store, panelTextChars(store.list().map((s) => s.meta))) : undefined;
  const view = parseView(params, retentionMs, limits, work);
  const reach = view.range ? Math.ceil(Date.now() - view.range.from) : 0;
  const snapshotMs = Math.min(retentionMs, Math.max(view.window.ms, reach));
  return {
    view,
    presets: presetsWithin(retentionMs),
    defaultWindow: toTimeWindow(undefined, retentionMs).label,
    retentionMs,
    intervalMs: env.COLLECT_INTERVAL,
    instance: env.INSTANCE,
    limits,
    snapshot: store.snapshot(snapshotMs, SNAPSHOT_POINTS),
  };
}
