import 'server-only';
import { SNAPSHOT_POINTS, WINDOWS, toWindowPreset, type WindowPreset } from '@/lib/dashboard';
import { getRuntime } from '@/lib/runtime';
import type { Snapshot } from '@/lib/store';

/** What the server-rendered dashboard hands to the browser. */
export interface DashboardData {
  window: WindowPreset;
  intervalMs: number;
  instance: string;
  snapshot: Snapshot;
}

/** The snapshot for `?window=`, taken with the cursor the client's stream continues from. */
export function dashboardData(windowParam: unknown): DashboardData {
  const { env, store } = getRuntime();
  const window = toWindowPreset(windowParam);
  return {
    window,
    intervalMs: env.COLLECT_INTERVAL,
    instance: env.INSTANCE,
    snapshot: store.snapshot(WINDOWS[window], SNAPSHOT_POINTS),
  };
}
