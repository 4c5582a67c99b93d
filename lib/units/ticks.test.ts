import { describe, expect, it } from 'vitest';
import { formatValue } from './format';
import { niceTicks } from './ticks';

const labels = (lo: number, hi: number, unit: Parameters<typeof niceTicks>[2]) => niceTicks(lo, hi, unit).map((t) => formatValue(t, unit));

describe('niceTicks', () => {
  it('steps by round values of the displayed unit', () => {
    expect(labels(0, 3.56, 'none')).toEqual(['0', '1', '2', '3', '4']);
    expect(labels(0, 0.361, 'ratio')).toEqual(['0 %', '10 %', '20 %', '30 %', '40 %']);
    expect(labels(0, 1, 'ratio')).toEqual(['0 %', '25 %', '50 %', '75 %', '100 %']);
    expect(labels(0, 0.35, 'seconds')).toEqual(['0 s', '100 ms', '200 ms', '300 ms', '400 ms']);
  });

  it('steps bytes by round KB/MB/GB', () => {
    expect(labels(0, 23.5 * 1024 ** 3, 'bytes')).toEqual(['0 B', '10 GB', '20 GB', '30 GB']);
    expect(labels(0, 121 * 1024 ** 2, 'bytes')).toEqual(['0 B', '50 MB', '100 MB', '150 MB']);
  });

  it('covers negative values and a flat zero line', () => {
    expect(niceTicks(-3, 7, 'none')).toEqual([-5, -2.5, 0, 2.5, 5, 7.5]);
    expect(niceTicks(0, 0, 'none')).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('niceTicks for whole numbers', () => {
  it('steps counts by whole numbers: no 0.25 streams', () => {
    expect(niceTicks(1, 1, 'none')).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(1, 1, 'none', 4, { integer: true })).toEqual([0, 1]);
    expect(niceTicks(0, 3, 'none', 4, { integer: true })).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 10, 'none', 4, { integer: true })).toEqual([0, 2, 4, 6, 8, 10]);
    // Larger counts already step by whole numbers.
    expect(niceTicks(0, 1_000, 'none', 4, { integer: true })).toEqual(niceTicks(0, 1_000, 'none'));
  });
});
