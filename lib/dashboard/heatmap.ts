// Client-safe: a histogram's bucket rates over time, for its heatmap view (loaded with that view).
import { corrected, orderBuckets, type BucketSeries } from './histogram';

/** One cell column of a heatmap: observations per second in each bucket (not cumulative) over [from, to). */
export interface HeatColumn {
  from: number;
  to: number;
  /** Per bucket, in `bounds` order: observations per second with a value in (previous bound, bound]. */
  rates: number[];
}

export interface Heatmap {
  /** Upper bounds of the rows, ascending (the last is +Infinity). */
  bounds: number[];
  columns: HeatColumn[];
  /** The highest rate of any cell (0 when empty). */
  max: number;
}

/**
 * Bucket rates over time for a heatmap: `columns` equal time columns over [from, to], each cell the
 * observations per second that fell in one bucket (cumulative counts differenced) in that column,
 * summed over every histogram given (one per label set). Each increase between two points of a
 * bucket counts in the column of the later point.
 */
export function heatmapOf(histograms: readonly (readonly BucketSeries[])[], from: number, to: number, columns: number): Heatmap {
  const boundSet = new Set<number>();
  const ordered = histograms.map(orderBuckets).filter((h) => h.length >= 2 && h.at(-1)!.le === Infinity);
  for (const h of ordered) for (const b of h) boundSet.add(b.le);
  const bounds = [...boundSet].sort((a, b) => a - b);
  const row = new Map(bounds.map((le, i) => [le, i]));
  const n = Math.max(1, Math.floor(columns));
  const width = (to - from) / n;
  const cells = Array.from({ length: n }, () => new Float64Array(bounds.length));
  for (const h of ordered) {
    // Each bucket's increase per interval, then the bucket below's subtracted: observations in (lower, le].
    const increases = h.map((b) => {
      const totals = corrected(b.points);
      const byColumn = new Float64Array(n);
      for (let i = 1; i < b.points.length; i++) {
        const t = b.points[i]![0];
        if (t <= from || t > to) continue;
        const c = Math.min(n - 1, Math.max(0, Math.ceil((t - from) / width) - 1));
        byColumn[c]! += totals[i]! - totals[i - 1]!;
      }
      return byColumn;
    });
    h.forEach((b, j) => {
      const r = row.get(b.le)!;
      for (let c = 0; c < n; c++) {
        const own = increases[j]![c]! - (j > 0 ? increases[j - 1]![c]! : 0);
        if (own > 0) cells[c]![r]! += own;
      }
    });
  }
  let max = 0;
  const seconds = width / 1000;
  const out = cells.map((cell, c) => {
    const rates = [...cell].map((v) => (seconds > 0 ? v / seconds : 0));
    for (const v of rates) if (v > max) max = v;
    return { from: from + c * width, to: from + (c + 1) * width, rates };
  });
  return { bounds, columns: out, max };
}
