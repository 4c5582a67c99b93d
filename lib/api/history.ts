import 'server-only';
import type { Env } from '@/lib/env';
import type { Runtime } from '@/lib/runtime';
import { diskHistory } from '@/lib/storage';
import type { SeriesKey, SeriesMeta } from '@/lib/series';
import { metaFromKey } from '@/lib/series/meta';
import { seriesMeta, type Snapshot } from '@/lib/wire';

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

/** Series a page over a window beyond the hot tier adds from disk at most (a read each): the most recently written first. */
export const QUIET_SERIES_MAX = 1_000;

/** Quiet series a filtered page tries its filter on at most, the most recently written first. */
export const QUIET_FILTERED_MAX = 10_000;

/**
 * A snapshot over a window longer than the hot tier: the series it chose, and those held only on
 * disk (quiet since before the hot tier's reach, or since a restart) that `keep` (a key test) and
 * `choose` (the page's filter) also keep, at most QUIET_SERIES_MAX of them, each read from the
 * tier the window and `pointsPerSeries` call for (rollups keep each bucket's min and max), two
 * points each at least. Within the hot tier, the snapshot as it is.
 */
export function withDiskHistory(
  snapshot: Snapshot,
  { env, storage }: Pick<Runtime, 'env' | 'storage'>,
  windowMs: number,
  pointsPerSeries: number,
  choose?: (series: readonly SeriesMeta[]) => ReadonlySet<SeriesKey>,
  keep?: (key: SeriesKey) => boolean,
): Snapshot {
  if (!storage || windowMs <= env.HISTORY_RETENTION) return snapshot;
  const now = snapshot.takenAt;
  const held = new Set(snapshot.series.map((s) => s.key));
  const metrics = new Map(snapshot.metrics.map((m) => [m.name, m]));
  const describe = (key: SeriesKey) => {
    const name = metaFromKey(key).name;
    if (!metrics.has(name)) {
      const stored = storage.storedMetric(name);
      if (stored) metrics.set(name, stored);
    }
    return seriesMeta(key, metrics.get(name));
  };
  // With a filter to apply, it looks among QUIET_FILTERED_MAX of them, the most recently written first.
  let quiet = storage.seriesWithin(now - windowMs, choose ? QUIET_FILTERED_MAX : QUIET_SERIES_MAX, (key) => !held.has(key) && (!keep || keep(key)));
  if (choose && quiet.length > 0) {
    const kept = choose([...snapshot.series.map((s) => describe(s.key)), ...quiet.map(describe)]);
    quiet = quiet.filter((key) => kept.has(key)).slice(0, QUIET_SERIES_MAX);
  }
  const keys = [...held, ...quiet];
  const share = Math.max(2, Math.min(pointsPerSeries, Math.floor(env.SNAPSHOT_MAX_POINTS / Math.max(1, keys.length))));
  const retention = { rawMs: env.RETENTION_RAW, m1Ms: env.RETENTION_1M };
  const names = new Set(keys.map((key) => describe(key).name));
  return {
    ...snapshot,
    windowMs,
    // A quiet series' hour on disk may end before the window starts: without points, it is not listed.
    series: keys.map((key) => ({ key, points: diskHistory(storage, key, windowMs, share, now, retention).points })).filter((s) => s.points.length > 0 || held.has(s.key)),
    metrics: [...metrics.values()].filter((m) => names.has(m.name)),
  };
}
