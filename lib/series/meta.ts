import type { MetricType, SeriesMeta } from '@/lib/schema';
import { unitFromName } from '@/lib/units';
import { parseSeriesKey, type SeriesKey } from './key';

/** Metric type implied by a name when no `# TYPE` says otherwise. */
export function typeFromName(name: string): MetricType {
  return name.endsWith('_total') ? 'counter' : 'gauge';
}

/** Metadata derived from a key alone, for series published without any. */
export function metaFromKey(key: SeriesKey): SeriesMeta {
  const { name, labels } = parseSeriesKey(key);
  return { key, name, labels, unit: unitFromName(name), type: typeFromName(name) };
}
