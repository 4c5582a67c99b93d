import { Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { heatmapOf } from './heatmap';
import { histogramQuantile, meanOverTime, parseLe, quantileOverTime, type BucketSeries } from './histogram';

const b = (le: number, count: number) => ({ le, count });
// 10 observations ≤ 0.1, 20 more ≤ 0.5, 10 more ≤ 1, 10 above.
const HAND = [b(0.1, 10), b(0.5, 30), b(1, 40), b(Infinity, 50)];

describe('histogramQuantile (Prometheus semantics)', () => {
  it('interpolates inside the rank’s bucket, from 0 in the first', () => {
    // rank 25 of 50: 15 into the (0.1, 0.5] bucket of 20 → 0.1 + 0.4 × 15/20.
    expect(histogramQuantile(0.5, HAND)).toBeCloseTo(0.4, 12);
    // rank 5: half of the first bucket (0, 0.1].
    expect(histogramQuantile(0.1, HAND)).toBeCloseTo(0.05, 12);
    // rank 40 is the top of (0.5, 1].
    expect(histogramQuantile(0.8, HAND)).toBeCloseTo(1, 12);
  });

  it('gives the highest finite bound for a rank in +Inf, and NaN/±Inf where Prometheus does', () => {
    expect(histogramQuantile(0.9, HAND)).toBe(1);
    expect(histogramQuantile(1, HAND)).toBe(1);
    expect(histogramQuantile(-0.1, HAND)).toBe(-Infinity);
    expect(histogramQuantile(1.1, HAND)).toBe(Infinity);
    expect(histogramQuantile(Number.NaN, HAND)).toBeNaN();
    expect(histogramQuantile(0.5, [b(0.1, 0), b(Infinity, 0)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(0.1, 3), b(1, 4)])).toBeNaN();
    expect(histogramQuantile(0.5, [b(Infinity, 4)])).toBeNaN();
    // A first bound ≤ 0 is returned as it is (no interpolation from 0).
    expect(histogramQuantile(0.1, [b(-1, 5), b(1, 8), b(Infinity, 10)])).toBe(-1);
  });

  it('raises counts that dip between buckets (a scrape mid-update) to keep them monotonic', () => {
    // 8 is read as 10: rank 15 is 5 into the (0.5, 1] bucket of 10 (not 7 into one of 12).
    expect(histogramQuantile(0.75, [b(0.1, 10), b(0.5, 8), b(1, 20), b(Infinity, 20)])).toBeCloseTo(0.75, 12);
  });

  it('reads le as Prometheus writes it', () => {
    expect(parseLe('+Inf')).toBe(Infinity);
    expect(parseLe('Inf')).toBe(Infinity);
    expect(parseLe('0.005')).toBe(0.005);
    expect(parseLe('1e-3')).toBe(0.001);
    expect(parseLe('')).toBeNaN();
    expect(parseLe('abc')).toBeNaN();
    // Long hostile input is read once by Number(), no pattern.
    expect(parseLe('1'.repeat(100_000) + 'x')).toBeNaN();
  });
});

/** A seeded generator (mulberry32): the same observations every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function bucketsOf(histogram: Histogram): Promise<{ le: number; count: number }[]> {
  const { values } = await histogram.get();
  return values.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => ({ le: parseLe(String(v.labels.le)), count: v.value }));
}

describe('quantiles against prom-client', () => {
  const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

  it('land in the bucket prom-client’s summary of the same observations puts them in, within its width', async () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'req_seconds', help: 'h', buckets: BOUNDS, registers: [registry] });
    const summary = new Summary({ name: 'req_summary_seconds', help: 's', percentiles: [0.5, 0.9, 0.99], registers: [registry] });
    const random = seeded(42);
    for (let i = 0; i < 20_000; i++) {
      // Log-normal-ish latencies around 80 ms, a tail into seconds.
      const v = Math.exp(Math.log(0.08) + 1.1 * (random() + random() + random() - 1.5) * 2);
      histogram.observe(v);
      summary.observe(v);
    }
    const buckets = await bucketsOf(histogram);
    const { values } = await summary.get();
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values.find((v) => v.labels.quantile === q)!.value;
      const estimate = histogramQuantile(q, buckets);
      const upper = BOUNDS.find((x) => x >= exact)!;
      const lower = [0, ...BOUNDS][BOUNDS.indexOf(upper)]!;
      expect(estimate, `p${q * 100}: summary ${exact}`).toBeGreaterThanOrEqual(lower);
      expect(estimate, `p${q * 100}: summary ${exact}`).toBeLessThanOrEqual(upper);
      // Linear interpolation inside a bucket is within its width of the truth.
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(upper - lower);
    }
  });

  it('over time: the quantile of what was observed in the last four intervals, and the mean as sum/count', async () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'step_seconds', help: 'h', buckets: [0.1, 0.5, 1], registers: [registry] });
    const snapshots: { t: number; buckets: { le: number; count: number }[]; sum: number; count: number }[] = [];
    const observe = async (t: number, values: number[]) => {
      for (const v of values) histogram.observe(v);
      const { values: all } = await histogram.get();
      snapshots.push({
        t,
        buckets: await bucketsOf(histogram),
        sum: all.find((v) => v.metricName === 'step_seconds_sum')!.value,
        count: all.find((v) => v.metricName === 'step_seconds_count')!.value,
      });
    };
    // Four seconds of fast requests, then four of slow ones.
    for (let s = 0; s <= 4; s++) await observe(s * 1000, s === 0 ? [] : [0.05, 0.05, 0.05, 0.05]);
    for (let s = 5; s <= 8; s++) await observe(s * 1000, [0.8, 0.8, 0.8, 0.8]);
    const series: BucketSeries[] = snapshots[0]!.buckets.map((bucket, j) => ({ le: bucket.le, points: snapshots.map((s) => [s.t, s.buckets[j]!.count] as [number, number]) }));
    const [p50] = quantileOverTime([0.5], series);
    // At 4 s the last four intervals saw 16 requests of 50 ms: in (0, 0.1], rank 8 of 16 → 0.05.
    expect(p50!.find(([t]) => t === 4000)?.[1]).toBeCloseTo(0.05, 9);
    // At 8 s only slow ones: in (0.5, 1], rank 8 of 16 → 0.75.
    expect(p50!.find(([t]) => t === 8000)?.[1]).toBeCloseTo(0.75, 9);
    // At 0 s there is nothing before: no point, not zero.
    expect(p50!.some(([t]) => t === 0)).toBe(false);
    const mean = meanOverTime(
      snapshots.map((s) => [s.t, s.sum]),
      snapshots.map((s) => [s.t, s.count]),
    );
    expect(mean.find(([t]) => t === 4000)?.[1]).toBeCloseTo(0.05, 9);
    expect(mean.find(([t]) => t === 8000)?.[1]).toBeCloseTo(0.8, 9);
    // Half and half at 6 s: (8 × 0.05 + 8 × 0.8) / 16.
    expect(mean.find(([t]) => t === 6000)?.[1]).toBeCloseTo((8 * 0.05 + 8 * 0.8) / 16, 9);
  });

  it('survives a counter reset (the service restarted) without a negative or huge spike', () => {
    const pts = (vals: number[]) => vals.map((v, i) => [i * 1000, v] as [number, number]);
    const series: BucketSeries[] = [
      { le: 0.1, points: pts([0, 10, 20, 30, 40, 2, 12, 22]) },
      { le: Infinity, points: pts([0, 10, 20, 30, 40, 2, 12, 22]) },
    ];
    const [p99] = quantileOverTime([0.99], series);
    expect(p99!.length).toBeGreaterThan(0);
    for (const [, v] of p99!) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(0.1);
    }
  });
});

describe('heatmapOf', () => {
  it('counts each bucket’s own observations per second, summed over label sets', () => {
    const pts = (vals: number[]) => vals.map((v, i) => [i * 1000, v] as [number, number]);
    // Per second: 2 in (0, 0.1], 1 in (0.1, 1], 1 above 1.
    const one: BucketSeries[] = [
      { le: 0.1, points: pts([0, 2, 4, 6]) },
      { le: 1, points: pts([0, 3, 6, 9]) },
      { le: Infinity, points: pts([0, 4, 8, 12]) },
    ];
    const map = heatmapOf([one, one], 0, 3000, 3);
    expect(map.bounds).toEqual([0.1, 1, Infinity]);
    expect(map.columns.map((c) => c.rates)).toEqual([
      [4, 2, 2],
      [4, 2, 2],
      [4, 2, 2],
    ]);
    expect(map.max).toBe(4);
  });
});
