import type { Pair } from '@/lib/wire';
import type { Ring } from './ring';

/**
 * Points of `ring` in [from, to], reduced to at most `maxPoints` by splitting the range into
 * buckets of equal count and keeping each bucket's minimum and maximum in time order, so a
 * one-second spike is still visible in an hour-long chart.
 */
export function downsample(ring: Ring, from: number, to: number, maxPoints: number): Pair[] {
  return downsampleRange(ring, ring.lowerBound(from), ring.upperBound(to), maxPoints);
}

/** Downsamples ring indices [i0, i1) to at most `maxPoints` pairs, min and max per bucket. */
export function downsampleRange(ring: Ring, i0: number, i1: number, maxPoints: number): Pair[] {
  const n = i1 - i0;
  const out: Pair[] = [];
  if (n <= 0 || maxPoints <= 0) return out;
  if (n <= maxPoints) {
    for (let i = i0; i < i1; i++) out.push([ring.timeAt(i), ring.valueAt(i)]);
    return out;
  }
  if (maxPoints === 1) return [[ring.timeAt(i1 - 1), ring.valueAt(i1 - 1)]];
  // From three points on, the newest point always ends the result (it is the series' latest
  // value) and min/max buckets cover the rest; with two, the extremes win.
  const keepLast = maxPoints >= 3;
  const last = i1 - 1;
  const buckets = keepLast ? Math.floor((maxPoints - 1) / 2) : 1;
  const m = keepLast ? n - 1 : n;
  for (let b = 0; b < buckets; b++) {
    const lo = i0 + Math.floor((b * m) / buckets);
    const hi = i0 + Math.floor(((b + 1) * m) / buckets);
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      const v = ring.valueAt(i);
      if (v < ring.valueAt(iMin)) iMin = i;
      if (v > ring.valueAt(iMax)) iMax = i;
    }
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    out.push([ring.timeAt(first), ring.valueAt(first)]);
    if (second !== first) out.push([ring.timeAt(second), ring.valueAt(second)]);
  }
  if (keepLast) out.push([ring.timeAt(last), ring.valueAt(last)]);
  return out;
}
