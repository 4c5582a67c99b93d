/** A point as charts hold it: `[t, v]`. */
type Pair = readonly [t: number, v: number];

/**
 * Per-second rate of a counter between consecutive points. A drop is a counter reset: the new
 * value counts from zero. The first point has no rate and is left out.
 */
export function toRate(points: readonly Pair[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1] as Pair;
    const [t1, v1] = points[i] as Pair;
    const seconds = (t1 - t0) / 1000;
    if (seconds <= 0) continue;
    out.push([t1, (v1 >= v0 ? v1 - v0 : v1) / seconds]);
  }
  return out;
}
