// Client-safe: a histogram's quantiles and mean, and its bucket rates, from the points of its
// series (cumulative counters, as Prometheus exposes them).
import type { Pair } from '@/lib/wire';

/** One bucket of a histogram at one time: observations ≤ `le` (cumulative). */
export interface CumulativeBucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of a cumulative histogram, as Prometheus' `histogram_quantile` computes it:
 * buckets ordered by `le` (the last must be `+Inf`), the rank's bucket found and the value
 * interpolated linearly inside it (from 0 for the first bucket when its bound is positive). A rank
 * in the `+Inf` bucket gives the highest finite bound; no observations, no `+Inf` bucket or fewer
 * than two buckets give NaN; q < 0 gives -Infinity and q > 1 +Infinity. Counts that fall between
 * buckets (scraped mid-update) are raised to keep the histogram monotonic.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const n = buckets.length;
  if (n < 2 || buckets[n - 1]!.le !== Infinity) return NaN;
  const counts = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) counts[i] = running = Math.max(running, buckets[i]!.count);
  const observations = counts[n - 1]!;
  if (!(observations > 0)) return NaN;
  const rank = q * observations;
  // The first bucket holding the rank, among the finite ones; past them, the +Inf bucket.
  let b = 0;
  while (b < n - 1 && counts[b]! < rank) b++;
  if (b === n - 1) return buckets[n - 2]!.le;
  const upper = buckets[b]!.le;
  if (b === 0 && upper <= 0) return upper;
  const lower = b === 0 ? 0 : buckets[b - 1]!.le;
  const below = b === 0 ? 0 : counts[b - 1]!;
  const inBucket = counts[b]! - below;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/** A histogram's buckets: each one's upper bound and its points (a cumulative counter). */
export interface BucketSeries {
  le: number;
  points: readonly Pair[];
}

export { parseLe } from './le';

/**
 * A counter's running total with resets undone (a drop means it restarted from zero), at each of
 * its points: differences of it are increases.
 */
export function corrected(points: readonly Pair[]): Float64Array {
  const out = new Float64Array(points.length);
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const v = points[i]![1];
    const prev = i === 0 ? v : points[i - 1]![1];
    total += i === 0 ? v : v >= prev ? v - prev : v;
    out[i] = total;
  }
  return out;
}

/** The median gap between a series' points (ms), or 0 with fewer than two. */
function medianGap(points: readonly Pair[]): number {
  if (points.length < 2) return 0;
  // The newest 64 gaps are enough to know the interval.
  const from = Math.max(1, points.length - 64);
  const gaps: number[] = [];
  for (let i = from; i < points.length; i++) gaps.push(points[i]![0] - points[i - 1]![0]);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/** Samples a rate is taken over: Prometheus advises a range of at least four scrape intervals. */
export const RATE_SAMPLES = 4;

/**
 * Reads counters at the reference series' times: for each time, the increase of every counter over
 * the `span` before it (from its last point at or before t − span, or its first point).
 */
class Increases {
  private readonly totals: Float64Array[];
  private readonly at: number[];
  private readonly back: number[];

  constructor(private readonly series: readonly (readonly Pair[])[]) {
    this.totals = series.map(corrected);
    this.at = series.map(() => -1);
    this.back = series.map(() => 0);
  }

  /** Increase of counter j over (t − span, t]; NaN when it has no point by t. Call with t ascending. */
  increase(j: number, t: number, span: number): number {
    const points = this.series[j]!;
    const totals = this.totals[j]!;
    let i = this.at[j]!;
    while (i + 1 < points.length && points[i + 1]![0] <= t) i++;
    this.at[j] = i;
    if (i < 0) return NaN;
    let k = this.back[j]!;
    while (k + 1 <= i && points[k + 1]![0] <= t - span) k++;
    this.back[j] = k;
    return k >= i ? NaN : totals[i]! - totals[k]!;
  }
}

/** Reference times of a histogram: the +Inf bucket's (its total), else the widest bucket's. */
function referenceOf(buckets: readonly BucketSeries[]): readonly Pair[] {
  return buckets.at(-1)?.points ?? [];
}

/** Buckets ordered by bound, one per bound (a repeated bound keeps its first series), NaN bounds left out. */
export function orderBuckets(buckets: readonly BucketSeries[]): BucketSeries[] {
  const seen = new Set<number>();
  return buckets
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le)
    .filter((b) => !seen.has(b.le) && seen.add(b.le));
}

/**
 * The q-quantile over time of a histogram whose buckets are cumulative counters: at each point of
 * its `+Inf` bucket, histogram_quantile of the buckets' increases over the last RATE_SAMPLES
 * intervals (`histogram_quantile(q, rate(x_bucket[4 × interval]))`). Times with no observations
 * in that span have no point (a gap, not zero).
 */
export function quantileOverTime(qs: readonly number[], unordered: readonly BucketSeries[]): Pair[][] {
  const buckets = orderBuckets(unordered);
  const out = qs.map((): Pair[] => []);
  if (buckets.length < 2 || buckets.at(-1)!.le !== Infinity) return out;
  const reference = referenceOf(buckets);
  const span = RATE_SAMPLES * medianGap(reference);
  const reader = new Increases(buckets.map((b) => b.points));
  const cumulative: CumulativeBucket[] = buckets.map((b) => ({ le: b.le, count: 0 }));
  for (const [t] of reference) {
    let complete = true;
    for (let j = 0; j < buckets.length; j++) {
      const inc = reader.increase(j, t, span);
      if (Number.isNaN(inc)) complete = false;
      cumulative[j]!.count = inc;
    }
    if (!complete) continue;
    qs.forEach((q, i) => {
      const v = histogramQuantile(q, cumulative);
      if (Number.isFinite(v)) out[i]!.push([t, v]);
    });
  }
  return out;
}

/**
 * The mean observation over time: increase of `_sum` over increase of `_count` in the last
 * RATE_SAMPLES intervals (`rate(x_sum[w]) / rate(x_count[w])`), at the count's points; no point
 * where nothing was observed.
 */
export function meanOverTime(sum: readonly Pair[], count: readonly Pair[]): Pair[] {
  const span = RATE_SAMPLES * medianGap(count);
  const reader = new Increases([sum, count]);
  const out: Pair[] = [];
  for (const [t] of count) {
    const s = reader.increase(0, t, span);
    const c = reader.increase(1, t, span);
    if (c > 0 && Number.isFinite(s)) out.push([t, s / c]);
  }
  return out;
}
