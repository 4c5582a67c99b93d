type Pair = readonly [t: number, v: number];

/**
 * Reduces points to what a chart of `buckets` columns can show. Time is cut into buckets aligned
 * to multiples of (to − from) / buckets; each bucket becomes two points, at its start and its
 * middle, carrying its minimum and maximum in the order they occurred. Spikes survive, the picture
 * does not shimmer as the window slides, and every line decimated with the same window shares its
 * timestamps (so a chart's rows have no gaps). Series short enough to draw as they are come back
 * unchanged.
 */
export function decimate(points: readonly Pair[], from: number, to: number, buckets: number): Pair[] {
  if (points.length <= buckets * 2) return points as Pair[];
  const width = Math.max(2, Math.ceil((to - from) / buckets));
  const out: Pair[] = [];
  let i = 0;
  while (i < points.length) {
    const bucket = Math.floor((points[i] as Pair)[0] / width);
    let min = points[i] as Pair;
    let max = min;
    let j = i + 1;
    for (; j < points.length && Math.floor((points[j] as Pair)[0] / width) === bucket; j++) {
      const p = points[j] as Pair;
      if (p[1] < min[1]) min = p;
      if (p[1] > max[1]) max = p;
    }
    const [first, second] = min[0] <= max[0] ? [min, max] : [max, min];
    const start = bucket * width;
    out.push([start, first[1]], [start + width / 2, second[1]]);
    i = j;
  }
  return out;
}
