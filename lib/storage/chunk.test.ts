import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkError, ChunkWriter, decodeChunk, encodeChunk, type DecodedChunk } from './chunk';

const MAX = Number.MAX_SAFE_INTEGER;
const YEAR = 365.25 * 24 * 3_600_000;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so size assertions do not flake. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value as toEqual can compare it bit for bit where it matters: -0 and NaN spelled out. */
function exact(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  return Object.is(v, -0) ? '-0' : v;
}

interface Points {
  times: number[];
  /** One array per column, each as long as `times`. */
  columns: number[][];
}

/** Appends every point to a new writer with a column per array. */
function write(points: Points): ChunkWriter {
  const writer = new ChunkWriter(points.columns.length);
  points.times.forEach((t, i) => writer.append(t, ...points.columns.map((col) => col[i] as number)));
  return writer;
}

/** Encodes, checks byteLength and encodeChunk against the bytes, decodes and checks every point came back. */
function roundTrip(points: Points): Uint8Array {
  const writer = write(points);
  const bytes = writer.finish();
  expect(writer.byteLength).toBe(bytes.length);
  expect(encodeChunk(points.times, points.columns)).toEqual(bytes);
  const decoded = decodeChunk(bytes);
  expect(decoded.columns).toBe(points.columns.length);
  expect(Array.from(decoded.times)).toEqual(points.times);
  expect(decoded.values.map((col) => Array.from(col, exact))).toEqual(points.columns.map((col) => col.map(exact)));
  return bytes;
}

/** Decodes `bytes`, which may be damaged: a ChunkError is fine, a result must be well formed. */
function decodesOrRefuses(bytes: Uint8Array): void {
  let decoded: DecodedChunk;
  try {
    decoded = decodeChunk(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ChunkError);
    return;
  }
  const { times, values, columns } = decoded;
  expect(values.length).toBe(columns);
  expect(values.every((col) => col.length === times.length)).toBe(true);
  expect(times.every((t, i) => Number.isSafeInteger(t) && (i === 0 || t >= (times[i - 1] as number)))).toBe(true);
}

// Times: a start near 0, near 2^53, negative or today's, then gaps of one style per chunk.
const start = fc.oneof(
  fc.integer({ min: 0, max: 1_000 }),
  fc.integer({ min: MAX - 1_000_000, max: MAX }),
  fc.integer({ min: -1e15, max: 1e15 }),
  fc.integer({ min: 1.6e12, max: 1.9e12 }),
);
const gap = fc.oneof(
  fc.constant(1_000),
  fc.integer({ min: 980, max: 1_020 }),
  fc.constantFrom(0, 1, 1_000, 15_000),
  fc.integer({ min: 0, max: 10 * YEAR }),
  fc.integer({ min: 0, max: 2 ** 40 }),
);
const gaps = (n: number) =>
  fc.oneof(
    fc.array(gap, { minLength: n, maxLength: n }),
    gap.chain((g) => fc.array(fc.oneof({ weight: 9, arbitrary: fc.constant(g) }, { weight: 1, arbitrary: gap }), { minLength: n, maxLength: n })),
  );
const timesOf = (n: number) =>
  fc.tuple(start, gaps(n)).map(([t0, gs]) => {
    const times: number[] = [];
    let t = t0;
    for (let i = 0; i < n; i++) {
      if (i > 0) t = Math.min(MAX, t + (gs[i] as number));
      times.push(t);
    }
    return times;
  });

const special = fc.constantFrom(
  -0,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 53,
  -(2 ** 53),
  2 ** 51,
  2 ** 51 - 1,
  -(2 ** 51) + 1,
  MAX,
  1e-300,
  0.1 + 0.2,
);
const decimal = (k: number) => fc.integer({ min: -1e9, max: 1e9 }).map((x) => x / 10 ** k);
const anyValue = fc.oneof(fc.integer({ min: -1_000, max: 1_000 }), decimal(2), fc.double(), special);
// Values: one style per column, so each coding is exercised on columns that suit it.
const columnOf = (n: number) => {
  const of = (v: fc.Arbitrary<number>) => fc.array(v, { minLength: n, maxLength: n });
  return fc.oneof(
    of(fc.integer({ min: -1_000, max: 1_000 })),
    of(fc.integer()),
    of(fc.integer({ min: -(2 ** 51) + 1, max: 2 ** 51 - 1 })),
    of(fc.integer({ min: -(2 ** 52), max: 2 ** 52 })),
    fc
      .tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1_000, max: 1_000 }), fc.constantFrom(1, 100))
      .map(([a, b, scale]) => Array.from({ length: n }, (_, i) => (a + i * b) / scale)),
    fc.integer({ min: 1, max: 6 }).chain((k) => of(decimal(k))),
    of(fc.nat(20)).map((steps) => steps.map((_, i) => steps.slice(0, i + 1).reduce((a, b) => a + b, 0))),
    of(fc.double()),
    of(anyValue),
    fc.oneof(fc.double(), special, decimal(3)).map((v) => new Array<number>(n).fill(v)),
    fc.tuple(decimal(1), of(fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: anyValue }))).map(
      ([v, changes]) => changes.map((c) => (c === 0 ? v : c)),
    ),
  );
};
const pointsOf = (columns: number, maxLength: number) =>
  fc
    .integer({ min: 0, max: maxLength })
    .chain((n) => fc.record({ times: timesOf(n), columns: fc.array(columnOf(n), { minLength: columns, maxLength: columns }) }));

/** An hour (or `n` seconds) of points every second from a fixed start, values from `value(i)`. */
function hour(value: (i: number) => number, jitter = 0, n = 3_600): Points {
  const rnd = random(1);
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(1_700_000_000_000 + i * 1_000 + Math.round(rnd() * jitter));
    values.push(value(i));
  }
  return { times, columns: [values] };
}

describe('ChunkWriter and decodeChunk', () => {
  it('round-trip random times and values in 1 column', () => {
    fc.assert(
      fc.property(pointsOf(1, 300), (points) => {
        roundTrip(points);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trip random times and values in 5 columns', () => {
    fc.assert(
      fc.property(pointsOf(5, 200), (points) => {
        roundTrip(points);
      }),
      { numRuns: 100 },
    );
  });

  it('round-trip an empty chunk', () => {
    const writer = new ChunkWriter(5);
    expect(writer.count).toBe(0);
    expect(writer.firstTime).toBeNaN();
    expect(writer.lastTime).toBeNaN();
    const bytes = roundTrip({ times: [], columns: [[], [], [], [], []] });
    expect(bytes.length).toBe(writer.byteLength);
    expect(decodeChunk(writer.finish()).values).toHaveLength(5);
  });

  it('round-trip one point, including the extremes of time and value', () => {
    for (const t of [0, 1, MAX, -MAX, 1_700_000_000_123]) {
      for (const v of [0, -0, NaN, Infinity, -Infinity, 37.25, 2 ** 53, Number.MIN_VALUE]) {
        roundTrip({ times: [t], columns: [[v]] });
        roundTrip({ times: [t], columns: [[v], [1], [-v], [0.5], [v]] });
      }
    }
  });

  it('round-trip the extremes of time: 0 to 2^53 - 1 in one step, and equal times', () => {
    roundTrip({ times: [0, MAX, MAX, MAX], columns: [[1, 2, 3, 4]] });
    roundTrip({ times: [-MAX, -MAX, 0, 0, 1], columns: [[0, 0, 0, 0, 0]] });
    roundTrip({ times: [5, 5, 5, 5, 5, 5], columns: [[1, 1, 1, 1, 1, 1]] });
  });

  it('keeps -0 and NaN among decimal-looking values', () => {
    roundTrip({ times: [1, 2, 3, 4], columns: [[0.25, -0, 12.5, 1027]] });
    roundTrip({ times: [1, 2, 3, 4], columns: [[0.25, NaN, 12.5, 1027]] });
    roundTrip({ times: [1, 2, 3, 4], columns: [[-0, -0, -0, -0]] });
  });

  it('reports count and times, and byteLength as the bytes finish() returns', () => {
    const writer = new ChunkWriter();
    for (let i = 0; i < 500; i++) {
      writer.append(1_000 * i + (i % 7), i % 13 === 0 ? Math.PI * i : i / 4);
      if (i % 50 === 0) expect(writer.byteLength).toBe(writer.finish().length);
    }
    expect(writer.count).toBe(500);
    expect(writer.firstTime).toBe(0);
    expect(writer.lastTime).toBe(499_000 + (499 % 7));
    expect(writer.byteLength).toBe(writer.finish().length);
  });

  it('estimates byteLength between plans from above, within a few bytes', () => {
    const rnd = random(5);
    const writer = new ChunkWriter(2);
    let gauge = 5_000;
    let worst = 0;
    for (let i = 0; i < 2_000; i++) {
      // Regular times, then jittery ones, then a gap: the code tables planned earlier fit less and less.
      const t = 1_700_000_000_000 + i * 1_000 + (i > 700 ? Math.round(rnd() * 300) : 0) + (i > 1_500 ? 86_400_000 : 0);
      gauge = Math.max(0, gauge + Math.round((rnd() - 0.5) * (i > 1_000 ? 5_000 : 50)));
      writer.append(t, gauge / 100, i > 1_200 ? rnd() : i);
      const estimate = writer.byteLength;
      if (i % 5 === 0) {
        const exact = writer.finish().length;
        expect(estimate).toBeGreaterThanOrEqual(exact);
        worst = Math.max(worst, estimate - exact);
      }
    }
    expect(worst).toBeLessThanOrEqual(16);
  });

  it('continues the same chunk when points are appended after finish()', () => {
    const writer = new ChunkWriter(5);
    for (let i = 0; i < 100; i++) writer.append(i * 1_000, i, -i, i / 2, 1, i === 50 ? NaN : i);
    const first = writer.finish();
    for (let i = 100; i < 250; i++) writer.append(i * 1_000, i, -i, i / 3, 1, i);
    const second = writer.finish();
    const a = decodeChunk(first);
    const b = decodeChunk(second);
    expect(a.times).toHaveLength(100);
    expect(b.times).toHaveLength(250);
    expect(Array.from(b.times.subarray(0, 100))).toEqual(Array.from(a.times));
    for (let c = 0; c < 5; c++) {
      expect(Array.from((b.values[c] as Float64Array).subarray(0, 100), exact)).toEqual(Array.from(a.values[c] as Float64Array, exact));
    }
    expect(b.values[2]?.[200]).toBe(200 / 3);
  });

  it('decodes a chunk that sits inside a larger buffer (a pooled Buffer, a file read)', () => {
    const points = hour((i) => i / 4, 20, 500);
    const bytes = write(points).finish();
    const pool = new Uint8Array(bytes.length + 7).fill(0xff);
    pool.set(bytes, 3);
    const decoded = decodeChunk(pool.subarray(3, 3 + bytes.length));
    expect(Array.from(decoded.times)).toEqual(points.times);
    expect(Array.from(decoded.values[0] as Float64Array)).toEqual(points.columns[0]);
  });

  it('encodeChunk writes what a writer would, from arrays of any kind, and refuses what append would', () => {
    const times = [1_000, 2_000, 2_000, 3_500];
    const columns = [
      [1, 2.5, -0, NaN],
      [7, 7, 7, 8],
    ];
    const bytes = write({ times, columns }).finish();
    expect(encodeChunk(times, columns)).toEqual(bytes);
    expect(encodeChunk(Float64Array.from(times), columns.map((c) => Float64Array.from(c)))).toEqual(bytes);
    // A count takes the first points only; longer arrays are fine.
    expect(encodeChunk([...times, 9_000], [[...(columns[0] as number[]), 1], [...(columns[1] as number[]), 2]], 4)).toEqual(bytes);
    expect(encodeChunk(times.slice(0, 2), [[1, 2.5]], 0)).toEqual(new ChunkWriter(1).finish());
    expect(() => encodeChunk(times, [])).toThrow(RangeError);
    expect(() => encodeChunk(times, columns, 5)).toThrow(RangeError);
    expect(() => encodeChunk(times, columns, 1.5)).toThrow(RangeError);
    expect(() => encodeChunk(times, [[1, 2, 3, 4], [1, 2, 3]])).toThrow(RangeError);
    expect(() => encodeChunk([2, 1], [[1, 2]])).toThrow('before the previous point');
    expect(() => encodeChunk([1, 1.5], [[1, 2]])).toThrow('not a safe integer');
    expect(() => encodeChunk([NaN], [[1]])).toThrow('not a safe integer');
    expect(() => encodeChunk([-MAX, MAX], [[1, 2]])).toThrow('too far after');
  });

  it('keeps the points and plans of each writer apart from other chunks encoded meanwhile', () => {
    const rnd = random(6);
    const writers = [new ChunkWriter(1), new ChunkWriter(1), new ChunkWriter(2)];
    const points: Points[] = [
      { times: [], columns: [[]] },
      { times: [], columns: [[]] },
      { times: [], columns: [[], []] },
    ];
    for (let i = 0; i < 300; i++) {
      const k = i % 3;
      const writer = writers[k] as ChunkWriter;
      const p = points[k] as Points;
      const t = 1_000 * i + (k === 1 ? Math.round(rnd() * 50) : 0);
      const values = p.columns.map((_, c) => (c === 0 ? Math.round(rnd() * 1_000) / 10 : rnd()));
      writer.append(t, ...values);
      p.times.push(t);
      values.forEach((v, c) => (p.columns[c] as number[]).push(v));
      // Chunks of every shape in between, on the shared scratch space.
      encodeChunk([t, t + 1], [[rnd(), 1]]);
      encodeChunk([t], [[1], [2]]);
      if (k === 0) expect(writer.byteLength).toBeGreaterThanOrEqual(writer.finish().length);
      if (k === 2 && i % 30 === 2) expect(writer.finish()).toEqual(encodeChunk(p.times, p.columns));
    }
    writers.forEach((writer, k) => {
      const bytes = writer.finish();
      expect(writer.byteLength).toBe(bytes.length);
      const p = points[k] as Points;
      expect(bytes).toEqual(encodeChunk(p.times, p.columns));
      const decoded = decodeChunk(bytes);
      expect(Array.from(decoded.times)).toEqual(p.times);
      expect(decoded.values.map((col) => Array.from(col))).toEqual(p.columns);
    });
  });

  it('refuses bad appends with RangeError and keeps the chunk as it was', () => {
    expect(() => new ChunkWriter(0)).toThrow(RangeError);
    expect(() => new ChunkWriter(1.5)).toThrow(RangeError);
    expect(() => new ChunkWriter(256)).toThrow(RangeError);
    const writer = new ChunkWriter(2);
    writer.append(1_000, 1, 2);
    expect(() => writer.append(999, 1, 2)).toThrow(RangeError);
    expect(() => writer.append(1_000.5, 1, 2)).toThrow(RangeError);
    expect(() => writer.append(NaN, 1, 2)).toThrow(RangeError);
    expect(() => writer.append(2 ** 53, 1, 2)).toThrow(RangeError);
    expect(() => writer.append(2_000, 1)).toThrow(RangeError);
    expect(() => writer.append(2_000, 1, 2, 3)).toThrow(RangeError);
    const other = new ChunkWriter();
    other.append(-MAX, 0);
    expect(() => other.append(MAX, 0)).toThrow(RangeError);
    expect(writer.count).toBe(1);
    expect(Array.from(decodeChunk(writer.finish()).times)).toEqual([1_000]);
  });
});

describe('chunk sizes', () => {
  const bytesPerPoint = (points: Points) => roundTrip(points).length / points.times.length;

  it('an hour at exactly 1 s with a constant value takes under 500 bytes', () => {
    expect(roundTrip(hour(() => 42)).length).toBeLessThan(500);
    expect(roundTrip(hour(() => 0.1 + 0.2)).length).toBeLessThan(500);
  });

  it('a counter increasing by small integers takes under 2 bytes a point', () => {
    const rnd = random(2);
    let v = 1_234_567;
    expect(bytesPerPoint(hour(() => (v += Math.floor(rnd() * 20))))).toBeLessThan(2);
    v = 0;
    expect(bytesPerPoint(hour(() => (v += Math.floor(rnd() * 20)), 20))).toBeLessThan(2);
  });

  it('a gauge with 2 decimal digits takes under 2.5 bytes a point', () => {
    const rnd = random(3);
    let v = 3_725;
    const walk = () => (v = Math.min(10_000, Math.max(0, v + Math.round((rnd() - 0.5) * 400)))) / 100;
    expect(bytesPerPoint(hour(walk))).toBeLessThan(2.5);
    expect(bytesPerPoint(hour(walk, 10))).toBeLessThan(2.5);
    // CPU percent with no memory from one second to the next still fits.
    expect(bytesPerPoint(hour(() => Math.round(rnd() * 10_000) / 100))).toBeLessThan(2.5);
  });

  it('random doubles cost about their 8 bytes', () => {
    const rnd = random(4);
    expect(bytesPerPoint(hour(() => rnd() * 100))).toBeLessThan(8.5);
  });
});

describe('decodeChunk on damaged input', () => {
  const samples = [
    hour(() => 42),
    hour((i) => i / 4, 30, 1_000),
    hour((i) => Math.sin(i / 100), 5, 300),
    { times: [1, 2, 2, 5_000_000_000], columns: [[1, -0, NaN, 1e300], [0.5, 0.25, 0.125, 1], [1, 2, 3, 4], [9, 9, 9, 9], [7, 7, 7, 7]] },
    { times: [7], columns: [[1.5]] },
    { times: [], columns: [[]] },
  ].map((points) => write(points).finish());

  it('refuses every truncation and every extension of a valid chunk with ChunkError', () => {
    const refusedBy = (bytes: Uint8Array): string => {
      try {
        decodeChunk(bytes);
        return 'nothing';
      } catch (e) {
        return e instanceof ChunkError ? 'ChunkError' : String(e);
      }
    };
    for (const bytes of samples) {
      const outcomes = new Set<string>();
      for (let length = 0; length < bytes.length; length++) outcomes.add(refusedBy(bytes.subarray(0, length)));
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      outcomes.add(refusedBy(longer));
      expect([...outcomes]).toEqual(['ChunkError']);
    }
  });

  it('returns or throws ChunkError after random bit flips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        (bytes, flips) => {
          const damaged = bytes.slice();
          for (const f of flips) {
            const bit = f % (damaged.length * 8);
            damaged[bit >>> 3] = (damaged[bit >>> 3] as number) ^ (1 << (bit & 7));
          }
          decodesOrRefuses(damaged);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns or throws ChunkError after bit flips in random chunks', () => {
    fc.assert(
      fc.property(pointsOf(2, 100), fc.nat(), (points, f) => {
        const damaged = write(points).finish();
        const bit = f % (damaged.length * 8);
        damaged[bit >>> 3] = (damaged[bit >>> 3] as number) ^ (1 << (bit & 7));
        decodesOrRefuses(damaged);
      }),
      { numRuns: 200 },
    );
  });

  it('returns or throws ChunkError on random bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.of(1, 1, ...b))),
        (bytes) => {
          decodesOrRefuses(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('says what is wrong', () => {
    const bytes = write({ times: [1, 2], columns: [[3, 4]] }).finish();
    const otherVersion = bytes.slice();
    otherVersion[0] = 9;
    expect(() => decodeChunk(otherVersion)).toThrow('chunk version 9 is not supported');
    expect(() => decodeChunk(bytes.subarray(0, 1))).toThrow('chunk truncated');
    expect(() => decodeChunk('chunk' as unknown as Uint8Array)).toThrow(ChunkError);
    // A huge point count in a short input is refused before anything is allocated.
    expect(() => decodeChunk(Uint8Array.of(1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0))).toThrow(ChunkError);
  });
});
