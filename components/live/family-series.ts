// Loaded with the first histogram or summary panel (components/chart/family-panel-card.tsx): the lines
// computed from a family's series, and a histogram's buckets for its heatmap.
import { HISTOGRAM_QUANTILES, type FamilyGroup, type Panel } from '@/lib/dashboard';
import { meanOverTime, quantileOverTime, type BucketSeries } from '@/lib/dashboard/histogram';
import type { Pair } from '@/lib/wire';
import type { LiveSeries } from './live-store';
import { shown } from './series-view';

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
export function familySeries(panel: Panel, get: (key: string) => LiveSeries | undefined): (LiveSeries | undefined)[] {
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

const bucketsOf = new WeakMap<FamilyGroup, { inputs: readonly (readonly Pair[] | undefined)[]; out: BucketSeries[] }>();

/**
 * A histogram panel's buckets, per label set its lines show (what its heatmap sums); undefined
 * for other panels. The same arrays while the buckets' points are (the heatmap recomputes only then).
 */
export function panelBuckets(panel: Panel, get: (key: string) => LiveSeries | undefined): BucketSeries[][] | undefined {
  if (panel.family?.kind !== 'histogram') return undefined;
  const groups = new Set(panel.lines.flatMap((l) => (l.derive ? [l.derive.group] : [])));
  return [...groups].map((g) => {
    const group = panel.family!.groups[g];
    if (!group) return [];
    const inputs = group.buckets.map((b) => get(b.key)?.points);
    const cached = bucketsOf.get(group);
    if (cached && cached.inputs.length === inputs.length && cached.inputs.every((p, i) => p === inputs[i])) return cached.out;
    const out = group.buckets.map((b, i) => ({ le: b.le, points: inputs[i] ?? [] }));
    bucketsOf.set(group, { inputs, out });
    return out;
  });
}
