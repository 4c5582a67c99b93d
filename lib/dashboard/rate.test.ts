import { describe, expect, it } from 'vitest';
import { toRate } from './rate';

describe('toRate', () => {
  it('gives the per-second increase between consecutive points', () => {
    expect(
      toRate([
        [0, 10],
        [1000, 15],
        [3000, 25],
      ]),
    ).toEqual([
      [1000, 5],
      [3000, 5],
    ]);
  });

  it('treats a drop as a counter reset counting from zero', () => {
    expect(
      toRate([
        [0, 100],
        [1000, 120],
        [2000, 4],
      ]),
    ).toEqual([
      [1000, 20],
      [2000, 4],
    ]);
  });

  it('skips points with the same timestamp and yields nothing for fewer than two points', () => {
    expect(
      toRate([
        [0, 1],
        [0, 2],
        [500, 3],
      ]),
    ).toEqual([[500, 2]]);
    expect(toRate([[0, 1]])).toEqual([]);
  });
});
