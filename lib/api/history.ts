import 'server-only';
import type { Env } from '@/lib/env';
import type { Runtime } from '@/lib/runtime';
import { diskHistory } from '@/lib/storage';
import type { Snapshot } from '@/lib/wire';

const HOUR = 3_600_000;

/**
 * How far back the pages may show: the hot tier's retention, or with DATA_DIR as far back as
 * data is held on disk (within the longest tier's retention). Window presets grow with it.
 */
export function historySpan(env: Env, storage: Runtime['storage'], now = Date.now()): number {
  const oldest = storage?.oldest();
  if (oldest === undefined) return env.HISTORY_RETENTION;
  const longest = Math.max(env.RETENTION_RAW, env.RETENTION_1M, env.RETENTION_1H);
  // Blocks know the hour their data starts in, not the minute: an hour less is surely held, so
  // 5 minutes of data that began just before an hour's end do not offer the 6h preset.
  return Math.max(env.HISTORY_RETENTION, Math.min(longest, now - oldest - HOUR));
}

/**
 * A snapshot over a window longer than the hot tier: the series it chose, each read from the
 * tier the window and `pointsPerSeries` call for (rollups keep each bucket's min and max).
 * Within the hot tier, the snapshot as it is.
 */
export function withDiskHistory(snapshot: Snapshot, { env, storage }: Pick<Runtime, 'env' | 'storage'>, windowMs: number, pointsPerSeries: number): Snapshot {
  if (!storage || windowMs <= env.HISTORY_RETENTION) return snapshot;
  const now = snapshot.takenAt;
  const share = Math.max(2, Math.min(pointsPerSeries, Math.floor(env.SNAPSHOT_MAX_POINTS / Math.max(1, snapshot.series.length))));
  const retention = { rawMs: env.RETENTION_RAW, m1Ms: env.RETENTION_1M };
  return {
    ...snapshot,
    windowMs,
    series: snapshot.series.map(({ key }) => ({ key, points: diskHistory(storage, key, windowMs, share, now, retention).points })),
  };
}
