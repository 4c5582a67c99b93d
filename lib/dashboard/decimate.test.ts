import { describe, expect, it } from 'vitest';
import { decimate } from './decimate';

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => [i * 1000, f(i)] as [number, number]);

describe('decimate', () => {
  it('leaves short series alone', () => {
    const s = series(100, (i) => i);
    expect(decimate(s, 0, 99_000, 60)).toBe(s);
  });

  it('keeps at most two points per bucket, in time order, spikes included', () => {
    const s = series(3600, (i) => (i === 1234 ? 500 : i === 2000 ? -7 : 1));
    const d = decimate(s, 0, 3_599_000, 120);
    expect(d.length).toBeLessThanOrEqual(2 * 121);
    expect(d.map(([, v]) => v)).toContain(500);
    expect(d.map(([, v]) => v)).toContain(-7);
    for (let i = 1; i < d.length; i++) expect(d[i]![0]).toBeGreaterThan(d[i - 1]![0]);
  });

  it('gives the same buckets for the same points as the window slides', () => {
    const s = series(3600, (i) => Math.sin(i / 10));
    const a = decimate(s, 0, 3_600_000, 120);
    const b = decimate(s, 1000, 3_601_000, 120);
    expect(b).toEqual(a);
  });

  it('gives every decimated line of a window the same timestamps', () => {
    const a = decimate(series(3600, (i) => i), 0, 3_600_000, 120).map(([t]) => t);
    const b = decimate(series(3600, (i) => -i), 0, 3_600_000, 120).map(([t]) => t);
    expect(b).toEqual(a);
  });
});
