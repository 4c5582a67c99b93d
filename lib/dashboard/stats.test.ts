import { describe, expect, it } from 'vitest';
import { percentile, pointsWithin, statsWithin } from './stats';

const points = [
  [1000, 4],
  [2000, 1],
  [3000, 9],
  [4000, 2],
] as const;

describe('stats', () => {
  it('summarises the points within a range', () => {
    expect(statsWithin(points, 2000, 3500)).toEqual({ last: 9, min: 1, max: 9, mean: 5, count: 2 });
    expect(statsWithin(points, 0, 10_000)).toEqual({ last: 2, min: 1, max: 9, mean: 4, count: 4 });
    expect(statsWithin(points, 5000, 6000)).toBeNull();
  });

  it('cuts a range out of the points', () => {
    expect(pointsWithin(points, 1500, 4000)).toEqual([
      [2000, 1],
      [3000, 9],
      [4000, 2],
    ]);
  });

  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([5, 1, 3], 95)).toBe(5);
    expect(percentile([], 95)).toBeNaN();
  });
});
