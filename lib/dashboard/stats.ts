type Pair = readonly [t: number, v: number];

/** A series' figures over a time range. */
export interface SeriesStats {
  last: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

/** First index whose time is ≥ `t` in time-ordered points. */
function lowerBound(points: readonly Pair[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Pair)[0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points of time-ordered `points` within [from, to]. */
export function pointsWithin(points: readonly Pair[], from: number, to: number): readonly Pair[] {
  const start = lowerBound(points, from);
  const end = lowerBound(points, to + 1e-9);
  return start === 0 && end === points.length ? points : points.slice(start, end);
}

/** Last, min, max and mean of the points within [from, to]; null when there are none. */
export function statsWithin(points: readonly Pair[], from: number, to: number): SeriesStats | null {
  const start = lowerBound(points, from);
  const end = lowerBound(points, to + 1e-9);
  if (end <= start) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = (points[i] as Pair)[1];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { last: (points[end - 1] as Pair)[1], min, max, mean: sum / (end - start), count: end - start };
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
