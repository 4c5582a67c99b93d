import 'server-only';
import { SNAPSHOT_POINTS, parseView, presetsWithin, toTimeWindow, type TimeWindow, type View } from '@/lib/dashboard';
import { getRuntime } from '@/lib/runtime';
import type { QueryLimits } from '@/lib/series';
import type { Snapshot } from '@/lib/store';
import { queryLimits } from './limits';

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
 */
export function dashboardData(params: Record<string, string | string[] | undefined>): DashboardData {
  const { env, store } = getRuntime();
  const retentionMs = env.HISTORY_RETENTION;
  const limits = queryLimits(env);
  const view = parseView(params, retentionMs, limits);
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
