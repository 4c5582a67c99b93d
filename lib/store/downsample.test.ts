import { describe, expect, it } from 'vitest';
import type { Pair } from '@/lib/wire';
import { downsample, downsampleRange } from './downsample';
import { Ring } from './ring';

function ringOf(pairs: ReadonlyArray<readonly [number, number]>): Ring {
  const ring = new Ring(pairs.length || 1);
  for (const [t, v] of pairs) ring.push(t, v);
  return ring;
}

/** An hour of 1 s points: a slow sine wave with one spike and one dip, each a single second long. */
function hourWithSpike(): { ring: Ring; spikeAt: number; dipAt: number } {
  const spikeAt = 2_345;
  const dipAt = 1_234;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < 3_600; i++) {
    const v = i === spikeAt ? 1_000 : i === dipAt ? -1_000 : Math.sin(i / 100);
    pairs.push([i * 1_000, v]);
  }
  return { ring: ringOf(pairs), spikeAt, dipAt };
}

function isTimeOrdered(points: Pair[]): boolean {
  return points.every((p, i) => i === 0 || (points[i - 1] as Pair)[0] <= p[0]);
}

describe('downsample', () => {
  it('returns every point unchanged when there are no more than maxPoints', () => {
    const ring = ringOf([
      [1, 5],
      [2, 3],
      [3, 9],
    ]);
    expect(downsampleRange(ring, 0, 3, 3)).toEqual([
      [1, 5],
      [2, 3],
      [3, 9],
    ]);
    expect(downsampleRange(ring, 0, 3, 100)).toEqual([
      [1, 5],
      [2, 3],
      [3, 9],
    ]);
  });

  it('returns nothing for an empty range or a zero budget', () => {
    const ring = ringOf([[1, 1]]);
    expect(downsampleRange(ring, 0, 0, 10)).toEqual([]);
    expect(downsampleRange(ring, 1, 0, 10)).toEqual([]);
    expect(downsampleRange(ring, 0, 1, 0)).toEqual([]);
  });

  it('keeps a one-second spike and dip when 3,600 points are reduced to 100', () => {
    const { ring, spikeAt, dipAt } = hourWithSpike();
    const out = downsampleRange(ring, 0, ring.length, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.length).toBeGreaterThan(50);
    expect(out).toContainEqual([spikeAt * 1_000, 1_000]);
    expect(out).toContainEqual([dipAt * 1_000, -1_000]);
    expect(Math.max(...out.map(([, v]) => v))).toBe(1_000);
    expect(Math.min(...out.map(([, v]) => v))).toBe(-1_000);
    expect(isTimeOrdered(out)).toBe(true);
  });

  it('never returns more than maxPoints, whatever the budget, and always in time order', () => {
    const { ring } = hourWithSpike();
    for (const max of [1, 2, 3, 7, 99, 100, 101, 1_799, 3_599]) {
      const out = downsampleRange(ring, 0, ring.length, max);
      expect(out.length, `maxPoints ${max}`).toBeLessThanOrEqual(max);
      expect(out.length, `maxPoints ${max}`).toBeGreaterThan(0);
      expect(isTimeOrdered(out), `maxPoints ${max}`).toBe(true);
      // Every output point is a real input point, not an average.
      for (const [t, v] of out) expect(ring.valueAt(t / 1_000)).toBe(v);
    }
  });

  it('keeps the global extremes for any budget of two or more', () => {
    const { ring } = hourWithSpike();
    for (const max of [2, 3, 10, 37, 500]) {
      const values = downsampleRange(ring, 0, ring.length, max).map(([, v]) => v);
      expect(values, `maxPoints ${max}`).toContain(1_000);
      expect(values, `maxPoints ${max}`).toContain(-1_000);
    }
  });

  it('returns the newest point of the range when only one is allowed', () => {
    const ring = ringOf([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    expect(downsampleRange(ring, 0, 3, 1)).toEqual([[3, 30]]);
  });

  it('bounds the range by time, inclusive at both ends', () => {
    const ring = ringOf(Array.from({ length: 10 }, (_, i) => [i * 10, i] as [number, number]));
    expect(downsample(ring, 20, 50, 100)).toEqual([
      [20, 2],
      [30, 3],
      [40, 4],
      [50, 5],
    ]);
    // Bounds between points take only the points inside.
    expect(downsample(ring, 15, 45, 100)).toEqual([
      [20, 2],
      [30, 3],
      [40, 4],
    ]);
    expect(downsample(ring, 30, 30, 100)).toEqual([[30, 3]]);
    expect(downsample(ring, 91, 200, 100)).toEqual([]);
  });

  it('downsamples within the time bounds only', () => {
    const { ring, spikeAt } = hourWithSpike();
    const from = 2_000 * 1_000;
    const to = 2_999 * 1_000;
    const out = downsample(ring, from, to, 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out.every(([t]) => t >= from && t <= to)).toBe(true);
    expect(out).toContainEqual([spikeAt * 1_000, 1_000]);
    // The dip at 1,234 s is outside the window.
    expect(out.some(([, v]) => v === -1_000)).toBe(false);
  });
});

describe('downsample keeps the latest value', () => {
  it('ends with the newest point whenever three or more are allowed', () => {
    const ring = new Ring(5000);
    for (let i = 0; i < 3600; i++) ring.push(i * 1000, (i * 7919) % 101);
    for (const budget of [3, 50, 600]) {
      const out = downsampleRange(ring, 0, ring.length, budget);
      expect(out.length).toBeLessThanOrEqual(budget);
      expect(out.at(-1)).toEqual([3_599_000, (3599 * 7919) % 101]);
    }
  });
});
