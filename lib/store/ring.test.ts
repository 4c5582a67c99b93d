import { describe, expect, it } from 'vitest';
import { Ring } from './ring';

/** Every point of `ring`, oldest first, as the store reads them. */
function points(ring: Ring): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < ring.length; i++) out.push([ring.timeAt(i), ring.valueAt(i)]);
  return out;
}

/** A ring holding times `from..to-1`, each with value `t * 10`. */
function filled(maxPoints: number, from: number, to: number): Ring {
  const ring = new Ring(maxPoints);
  for (let t = from; t < to; t++) ring.push(t, t * 10);
  return ring;
}

describe('Ring', () => {
  it('starts small and doubles its capacity as points arrive, stopping at maxPoints', () => {
    const ring = new Ring(200);
    const seen: number[] = [ring.capacity];
    for (let t = 0; t < 200; t++) {
      ring.push(t, t);
      if (ring.capacity !== seen.at(-1)) seen.push(ring.capacity);
    }
    expect(seen).toEqual([64, 128, 200]);
    expect(ring.length).toBe(200);
    // Growing copies the points over in order.
    expect(points(ring)).toEqual(Array.from({ length: 200 }, (_, t) => [t, t]));
  });

  it('never allocates more than maxPoints when maxPoints is below the initial capacity', () => {
    const ring = filled(5, 0, 20);
    expect(ring.capacity).toBe(5);
    expect(points(ring)).toEqual([
      [15, 150],
      [16, 160],
      [17, 170],
      [18, 180],
      [19, 190],
    ]);
  });

  it('overwrites the oldest point once full and keeps oldest-to-newest order after many wraps', () => {
    const max = 100;
    const ring = filled(max, 0, 1037); // past capacity ten times over, ending mid-buffer
    expect(ring.length).toBe(max);
    expect(ring.capacity).toBe(max);
    const expected = Array.from({ length: max }, (_, i) => [937 + i, (937 + i) * 10]);
    expect(points(ring)).toEqual(expected);
    expect(ring.lastTime).toBe(1036);
    expect(ring.lastValue).toBe(10360);
  });

  it('reports -Infinity and NaN as the last time and value of an empty ring', () => {
    const ring = new Ring(10);
    expect(ring.length).toBe(0);
    expect(ring.lastTime).toBe(-Infinity);
    expect(ring.lastValue).toBeNaN();
  });

  it('reports the newest point as last, including once the buffer has wrapped', () => {
    const ring = filled(4, 0, 4);
    expect([ring.lastTime, ring.lastValue]).toEqual([3, 30]);
    ring.push(4, -1);
    expect([ring.lastTime, ring.lastValue]).toEqual([4, -1]);
    expect(ring.timeAt(0)).toBe(1);
  });

  it('drops only the points older than the given time', () => {
    const ring = filled(8, 0, 12); // holds 4..11, wrapped
    ring.dropBefore(7);
    expect(points(ring).map(([t]) => t)).toEqual([7, 8, 9, 10, 11]);
    ring.dropBefore(7); // already gone: nothing more is dropped
    expect(ring.length).toBe(5);
    ring.push(12, 120);
    expect(points(ring).map(([t]) => t)).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('can be emptied by dropBefore and then reused', () => {
    const ring = filled(8, 0, 12);
    ring.dropBefore(100);
    expect(ring.length).toBe(0);
    expect(ring.lastTime).toBe(-Infinity);
    ring.push(200, 1);
    ring.push(201, 2);
    expect(points(ring)).toEqual([
      [200, 1],
      [201, 2],
    ]);
  });

  it('finds the first point at or after a time with lowerBound, and strictly after with upperBound', () => {
    const ring = new Ring(16);
    for (const t of [10, 20, 20, 20, 30]) ring.push(t, t);
    expect(ring.lowerBound(20)).toBe(1);
    expect(ring.upperBound(20)).toBe(4);
    expect(ring.lowerBound(15)).toBe(1);
    expect(ring.upperBound(15)).toBe(1);
    expect(ring.lowerBound(5)).toBe(0);
    expect(ring.upperBound(30)).toBe(5);
    expect(ring.lowerBound(31)).toBe(5);
  });

  it('searches in time order, not storage order, after the buffer has wrapped', () => {
    const ring = filled(10, 0, 25); // holds 15..24, start mid-buffer
    expect(ring.lowerBound(15)).toBe(0);
    expect(ring.lowerBound(20)).toBe(5);
    expect(ring.upperBound(20)).toBe(6);
    expect(ring.timeAt(ring.lowerBound(22))).toBe(22);
    expect(ring.lowerBound(0)).toBe(0);
    expect(ring.upperBound(99)).toBe(10);
  });

  it('returns 0 from both searches on an empty ring', () => {
    const ring = new Ring(10);
    expect(ring.lowerBound(0)).toBe(0);
    expect(ring.upperBound(0)).toBe(0);
  });
});

describe('Ring.pushMany', () => {
  it('holds what pushing one by one holds, through growth and wrap-around', () => {
    for (const [max, runs] of [[10, [3, 4, 9, 1, 25]], [64, [100]], [200, [1, 150, 60]]] as const) {
      const a = new Ring(max);
      const b = new Ring(max);
      let t = 0;
      for (const n of runs) {
        const times = Array.from({ length: n }, () => ++t);
        const values = times.map((x) => x * 2);
        for (let i = 0; i < n; i++) a.push(times[i]!, values[i]!);
        b.pushMany(times, values, 0, n);
      }
      expect(Array.from({ length: b.length }, (_, i) => [b.timeAt(i), b.valueAt(i)])).toEqual(Array.from({ length: a.length }, (_, i) => [a.timeAt(i), a.valueAt(i)]));
    }
  });
});

describe('Ring.reserve', () => {
  it('sizes the ring once for the points to come, within maxPoints, keeping what it holds in order', () => {
    const ring = new Ring(100);
    for (let i = 0; i < 50; i++) ring.push(i, i);
    ring.dropBefore(40);
    // Wrapped: held points straddle the end of the arrays.
    for (let i = 50; i < 70; i++) ring.push(i, i * 2);
    expect(ring.capacity).toBe(64);
    ring.reserve(50);
    expect(ring.capacity).toBe(30 + 50);
    const times = Array.from({ length: ring.length }, (_, i) => ring.timeAt(i));
    expect(times).toEqual(Array.from({ length: 30 }, (_, i) => 40 + i));
    expect(ring.valueAt(29)).toBe(138);
    const more = Float64Array.from({ length: 25 }, (_, i) => 70 + i);
    ring.pushMany(more, more, 0, 25);
    expect(ring.capacity).toBe(80);
    expect(ring.lastTime).toBe(94);
    ring.reserve(1_000);
    expect(ring.capacity).toBe(100);
    expect(ring.timeAt(0)).toBe(40);
  });
});
