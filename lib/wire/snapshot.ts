import type { Cursor } from '@/lib/bus';
import type { MetricMeta, SeriesMeta } from '@/lib/schema';
import { parseSeriesKey, type SeriesKey } from '@/lib/series/key';
import { metaFromKey } from '@/lib/series/meta';

/** A point in snapshots and history: `[t, v]`, compact in JSON. */
export type Pair = [t: number, v: number];

/**
 * What a server-rendered page hands the browser: a window of history and the bus cursor it is
 * consistent with (the page's stream starts right after it). Series carry their key only; what
 * their names mean (unit, type, help) comes once per name in `metrics`.
 */
export interface Snapshot {
  cursor: Cursor | null;
  takenAt: number;
  windowMs: number;
  series: Array<{ key: SeriesKey; points: Pair[] }>;
  metrics: MetricMeta[];
}

/** A series' metadata from its key and its name's description (derived from the name when there is none). */
export function seriesMeta(key: SeriesKey, metric: MetricMeta | undefined): SeriesMeta {
  if (!metric) return metaFromKey(key);
  const { name, labels } = parseSeriesKey(key);
  return { key, name, labels, unit: metric.unit, type: metric.type };
}
