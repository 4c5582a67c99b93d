import { HISTOGRAM_QUANTILES, meanOverTime, quantileOverTime, toRate, type BucketSeries, type FamilyGroup, type Panel } from '@/lib/dashboard';
import type { Pair } from '@/lib/wire';
import type { LiveSeries, LiveState } from './live-store';

const rates = new WeakMap<LiveSeries['points'], LiveSeries['points']>();

/** What a chart draws of a series: its values, or for a counter its per-second rate (cached per points array). */
export function shown(series: LiveSeries | undefined, rate: boolean | undefined): LiveSeries | undefined {
  if (!series || !rate) return series;
  let points = rates.get(series.points);
  if (!points) rates.set(series.points, (points = toRate(series.points)));
  return { meta: series.meta, points };
}

/** A group's derived lines, kept while its series' points are the same arrays. */
interface Derived {
  inputs: readonly (readonly Pair[] | undefined)[];
  quantiles: Map<number, Pair[]>;
  mean: Pair[] | null;
}

const derivedOf = new WeakMap<FamilyGroup, Derived>();

function derived(group: FamilyGroup, get: (key: string) => LiveSeries | undefined): Derived {
  const inputs = [...group.buckets.map((b) => get(b.key)?.points), group.sum && get(group.sum)?.points, group.count && get(group.count)?.points].map((p) => p || undefined);
  const cached = derivedOf.get(group);
  if (cached && cached.inputs.length === inputs.length && cached.inputs.every((p, i) => p === inputs[i])) return cached;
  const quantiles = new Map<number, Pair[]>();
  if (group.buckets.length > 0) {
    const lines = quantileOverTime(
      HISTOGRAM_QUANTILES,
      group.buckets.map((b, i) => ({ le: b.le, points: inputs[i] ?? [] })),
    );
    HISTOGRAM_QUANTILES.forEach((q, i) => quantiles.set(q, lines[i]!));
  }
  const sum = inputs[group.buckets.length];
  const count = inputs[group.buckets.length + 1];
  const out = { inputs, quantiles, mean: sum && count ? meanOverTime(sum, count) : null };
  derivedOf.set(group, out);
  return out;
}

/**
 * The series a panel's lines draw, in line order: a series' own points (a counter's rate), or a
 * histogram's quantiles and a family's mean computed from its group's series (cached while they
 * are unchanged).
 */
export function panelSeries(panel: Panel, get: (key: string) => LiveSeries | undefined): (LiveSeries | undefined)[] {
  return panel.lines.map((line) => {
    if (!line.derive) return shown(get(line.key), panel.rate);
    const group = panel.family?.groups[line.derive.group];
    if (!group) return undefined;
    const d = derived(group, get);
    const points = line.derive.kind === 'quantile' ? d.quantiles.get(line.derive.q) : d.mean;
    if (!points) return undefined;
    return { meta: { key: line.key, name: panel.family!.base, labels: group.labels, unit: panel.unit, type: 'gauge' }, points };
  });
}

/** A histogram panel's buckets, per label set its lines show (what its heatmap sums); undefined for other panels. */
export function panelBuckets(panel: Panel, get: (key: string) => LiveSeries | undefined): BucketSeries[][] | undefined {
  if (panel.family?.kind !== 'histogram') return undefined;
  const groups = new Set(panel.lines.flatMap((l) => (l.derive ? [l.derive.group] : [])));
  return [...groups].map((g) => (panel.family!.groups[g]?.buckets ?? []).map((b) => ({ le: b.le, points: get(b.key)?.points ?? [] })));
}

/** The newest point time among the series (server time), or `fallback`. */
export function newestIn(state: LiveState, fallback: number): number {
  let newest = fallback;
  for (const s of state.series.values()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? newest);
  return newest;
}
