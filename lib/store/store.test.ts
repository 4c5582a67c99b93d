import { describe, expect, it } from 'vitest';
import type { BusMessage } from '@/lib/bus';
import type { MetricMeta } from '@/lib/schema';
import { compileSeriesFilter, matchInSlices, type Sample, type SeriesMeta } from '@/lib/series';
import { Store, type StoreOptions } from './store';

const MINUTE = 60_000;

/** A store whose clock the test moves by assigning `clock.now`. */
function storeAt(start: number, options: Partial<StoreOptions> = {}): { store: Store; clock: { now: number } } {
  const clock = { now: start };
  const store = new Store({
    retentionMs: 10 * MINUTE,
    maxPointsPerSeries: 1_000,
    maxSeries: 100,
    now: () => clock.now,
    ...options,
  });
  return { store, clock };
}

let seq = 0;
function message(samples: Sample[], metrics?: MetricMeta[]): BusMessage {
  return { id: `test-${++seq}`, samples, ...(metrics ? { metrics } : {}) };
}

const s = (series: string, t: number, v: number): Sample => ({ series, t, v });
const NOTHING = { series: [], metrics: [] };

describe('Store', () => {
  it('creates a series on its first sample, deriving metadata from the key, and announces it once', () => {
    const { store } = storeAt(1_000_000);
    const key = 'http_requests_total{code="200",method="GET"}';
    const first = store.apply(message([s(key, 1_000_000, 1)]));
    const expected: SeriesMeta = {
      key,
      name: 'http_requests_total',
      labels: { code: '200', method: 'GET' },
      unit: 'none',
      type: 'counter',
    };
    expect(first).toEqual({ series: [key], metrics: [{ name: 'http_requests_total', unit: 'none', type: 'counter' }] });
    expect(store.meta(key)).toEqual(expected);
    expect(store.size).toBe(1);

    expect(store.apply(message([s(key, 1_000_001, 2)]))).toEqual(NOTHING);
    expect(store.history(key, MINUTE, 100)).toEqual([
      [1_000_000, 1],
      [1_000_001, 2],
    ]);
  });

  it('derives units and gauge type from the metric name', () => {
    const { store } = storeAt(1_000_000);
    store.apply(message([s('disk_read_bytes', 1_000_000, 5)]));
    expect(store.meta('disk_read_bytes')).toMatchObject({ name: 'disk_read_bytes', labels: {}, unit: 'bytes', type: 'gauge' });
  });

  it('keeps given metadata once per name, for all its series, and announces it again only when it changes', () => {
    const { store } = storeAt(1_000_000);
    const depth: MetricMeta = { name: 'queue_depth', unit: 'seconds', type: 'gauge', help: 'Jobs waiting' };
    const q = (queue: string) => `queue_depth{queue="${queue}"}`;
    expect(store.apply(message([s(q('a'), 1_000_000, 3), s(q('b'), 1_000_000, 3)], [depth]))).toEqual({ series: [q('a'), q('b')], metrics: [depth] });
    expect(store.metric('queue_depth')).toEqual(depth);
    expect(store.meta(q('b'))?.unit).toBe('seconds');

    expect(store.apply(message([s(q('a'), 1_000_001, 4)], [{ ...depth }]))).toEqual(NOTHING);
    // A new series of a known name: announced with its name's description, which it shares.
    expect(store.apply(message([s(q('c'), 1_000_001, 4)]))).toEqual({ series: [q('c')], metrics: [depth] });

    const changed = { ...depth, help: 'Jobs waiting to run', unit: 'none' as const };
    expect(store.apply(message([], [changed]))).toEqual({ series: [], metrics: [changed] });
    expect([q('a'), q('b'), q('c')].map((k) => store.meta(k)?.unit)).toEqual(['none', 'none', 'none']);
  });

  it('keeps no metadata for a name it holds no series of', () => {
    const { store } = storeAt(1_000_000);
    expect(store.apply(message([], [{ name: 'job_duration', unit: 'seconds', type: 'gauge', help: 'Last job run' }]))).toEqual(NOTHING);
    expect(store.metric('job_duration')).toBeUndefined();
    expect(store.has('job_duration')).toBe(false);
  });

  it('drops a point older than the newest one of its series and counts it', () => {
    const { store } = storeAt(1_000_000);
    store.apply(message([s('temp_celsius', 1_000_000, 20), s('temp_celsius', 1_000_100, 21)]));
    store.apply(message([s('temp_celsius', 1_000_050, 99)]));
    expect(store.dropped.outOfOrder).toBe(1);
    // A point at the same time as the newest is not out of order.
    store.apply(message([s('temp_celsius', 1_000_100, 22)]));
    expect(store.dropped.outOfOrder).toBe(1);
    expect(store.history('temp_celsius', MINUTE, 100)).toEqual([
      [1_000_000, 20],
      [1_000_100, 21],
      [1_000_100, 22],
    ]);
  });

  it('keeps a repeated point (same series, time and value as the newest) once, so a retried write is not doubled', () => {
    const { store } = storeAt(1_000_000);
    store.apply(message([s('jobs_total', 1_000_000, 5)]));
    const { kept } = store.keep(message([s('jobs_total', 1_000_000, 5), s('jobs_total', 1_000_010, 6)]));
    expect(kept).toEqual([s('jobs_total', 1_000_010, 6)]);
    expect(store.dropped.duplicate).toBe(1);
    expect(store.history('jobs_total', MINUTE, 100)).toEqual([
      [1_000_000, 5],
      [1_000_010, 6],
    ]);
  });

  it('refuses new series beyond maxSeries, counts them, and keeps serving the existing ones', () => {
    const { store } = storeAt(1_000_000, { maxSeries: 2 });
    expect(store.apply(message([s('a', 1_000_000, 1), s('b', 1_000_000, 1), s('c', 1_000_000, 1)])).series).toEqual(['a', 'b']);
    expect(store.size).toBe(2);
    expect(store.has('c')).toBe(false);
    expect(store.history('c', MINUTE, 10)).toBeUndefined();
    expect(store.dropped.seriesCap).toBe(1);

    expect(store.apply(message([s('a', 1_000_001, 2), s('d', 1_000_001, 2)], [{ name: 'd', unit: 'none', type: 'gauge' }]))).toEqual(NOTHING);
    expect(store.metric('d')).toBeUndefined();
    expect(store.dropped.seriesCap).toBe(2);
    expect(store.history('a', MINUTE, 10)).toEqual([
      [1_000_000, 1],
      [1_000_001, 2],
    ]);
  });

  it('drops points older than the retention as new points arrive', () => {
    const { store, clock } = storeAt(100 * MINUTE, { retentionMs: 10 * MINUTE });
    store.apply(message([s('x', 85 * MINUTE, 0)])); // already past retention
    store.apply(message([s('x', 91 * MINUTE, 1), s('x', 95 * MINUTE, 2), s('x', 100 * MINUTE, 3)]));
    expect(store.history('x', 60 * MINUTE, 100)).toEqual([
      [91 * MINUTE, 1],
      [95 * MINUTE, 2],
      [100 * MINUTE, 3],
    ]);

    clock.now = 106 * MINUTE;
    store.apply(message([s('x', 106 * MINUTE, 4)]));
    expect(store.history('x', 60 * MINUTE, 100)).toEqual([
      [100 * MINUTE, 3],
      [106 * MINUTE, 4],
    ]);
  });

  it('forgets a quiet series once all its points are past retention', () => {
    const { store, clock } = storeAt(100 * MINUTE, { retentionMs: 10 * MINUTE });
    store.apply(message([s('quiet', 100 * MINUTE, 1), s('busy', 100 * MINUTE, 1)]));
    clock.now = 111 * MINUTE;
    store.apply(message([s('busy', 111 * MINUTE, 2)]));
    expect(store.has('quiet')).toBe(false);
    expect(store.list().map((x) => x.meta.key)).toEqual(['busy']);
  });

  it('lists every series with its newest point, honouring a filter', () => {
    const { store } = storeAt(1_000_000);
    store.apply(message([s('cpu{core="0"}', 1_000_000, 0.5), s('cpu{core="0"}', 1_000_001, 0.7), s('mem', 1_000_000, 9)]));
    expect(store.list().map(({ meta, t, v }) => [meta.key, t, v])).toEqual([
      ['cpu{core="0"}', 1_000_001, 0.7],
      ['mem', 1_000_000, 9],
    ]);
    expect(store.list(compileSeriesFilter(['mem'])).map(({ meta }) => meta.key)).toEqual(['mem']);
  });

  it('counts the characters of the keys it holds as series come, are refused and go', () => {
    const { store, clock } = storeAt(100 * MINUTE, { retentionMs: 10 * MINUTE, maxSeries: 3 });
    const meta = { key: 'early{a="b"}' };
    store.apply(message([s('quiet', 100 * MINUTE, 1), s('busy', 100 * MINUTE, 1), s(meta.key, 100 * MINUTE, 1)]));
    expect(store.keyChars).toBe('quiet'.length + 'busy'.length + meta.key.length);
    store.apply(message([s('refused_over_the_cap', 100 * MINUTE, 1), s('busy', 101 * MINUTE, 2)]));
    expect(store.keyChars).toBe('quiet'.length + 'busy'.length + meta.key.length);
    clock.now = 111 * MINUTE;
    store.apply(message([s('busy', 111 * MINUTE, 2)]));
    expect(store.has('quiet') || store.has(meta.key)).toBe(false);
    expect(store.keyChars).toBe('busy'.length);
    store.apply(message([s('new{i="1"}', 111 * MINUTE, 1)]));
    expect(store.keyChars).toBe('busy'.length + 'new{i="1"}'.length);
  });

  it('lists in slices what it lists at once, from the series held when the listing began', async () => {
    const { store, clock } = storeAt(1_000_000, { maxSeries: 1_000 });
    store.apply(message(Array.from({ length: 300 }, (_, i) => s(`job_runs{i="${i}"}`, 1_000_000, i))));
    const filter = compileSeriesFilter(['job_runs{i="1?"}', '*"2?"*']);
    const atOnce = store.list(filter);
    // Between slices, new series come that the filter would match.
    const sliced = await matchInSlices(store.list(), (x) => x.meta.key, filter, async () => void store.apply(message([s(`other_runs{j="2${++clock.now % 10}"}`, clock.now, 0)])), { keys: 7 });
    expect(sliced).toEqual(atOnce);
    expect(atOnce.map((x) => x.meta.key)).toHaveLength(20);
    expect(store.size).toBeGreaterThan(300);
  });

  it('returns undefined as the history of an unknown series', () => {
    const { store } = storeAt(1_000_000);
    expect(store.history('nope', MINUTE, 10)).toBeUndefined();
  });

  it('limits history to the window and downsamples it to maxPoints', () => {
    const { store } = storeAt(10 * MINUTE, { retentionMs: 20 * MINUTE });
    const samples = Array.from({ length: 600 }, (_, i) => s('x', i * 1_000, i === 500 ? 1e6 : i));
    store.apply(message(samples));
    const last2min = store.history('x', 2 * MINUTE, 1_000) ?? [];
    // now is 600 s: the window starts at 480 s inclusive; points run 480..599 s.
    expect(last2min).toHaveLength(120);
    expect(last2min[0]).toEqual([480_000, 480]);
    expect(last2min.at(-1)).toEqual([599_000, 599]);

    const reduced = store.history('x', 10 * MINUTE, 20) ?? [];
    expect(reduced.length).toBeLessThanOrEqual(20);
    expect(reduced).toContainEqual([500_000, 1e6]);
  });

  it('takes a snapshot of matching series with the cursor of the last message applied', () => {
    const { store } = storeAt(1_000_000);
    const empty = store.snapshot(MINUTE, 100);
    expect(empty).toEqual({ cursor: null, takenAt: 1_000_000, windowMs: MINUTE, series: [], metrics: [] });

    store.apply({ id: 'e-1', samples: [s('app_a', 990_000, 1), s('app_b', 990_000, 2)] });
    store.apply({ id: 'e-2', samples: [s('app_a', 1_000_000, 3), s('other', 1_000_000, 4)] });
    const snap = store.snapshot(MINUTE, 100, { choose: (series) => new Set(series.filter((x) => x.name.startsWith('app_')).map((x) => x.key)) });
    expect(snap.cursor).toBe('e-2');
    expect(snap.takenAt).toBe(1_000_000);
    expect(snap.windowMs).toBe(MINUTE);
    expect(snap.metrics.map((m) => m.name)).toEqual(['app_a', 'app_b']);
    expect(snap.series.map(({ key, points }) => [key, points])).toEqual([
      [
        'app_a',
        [
          [990_000, 1],
          [1_000_000, 3],
        ],
      ],
      ['app_b', [[990_000, 2]]],
    ]);

    // A series with no point inside the window is left out.
    expect(store.snapshot(5_000, 100).series.map(({ key }) => key)).toEqual(['app_a', 'other']);
  });

  it('advances the cursor even when a message holds nothing it keeps', () => {
    const { store } = storeAt(1_000_000);
    store.apply({ id: 'e-1', samples: [s('a', 1_000_000, 1)] });
    store.apply({ id: 'e-2', samples: [s('a', 999_000, 0)] }); // out of order, dropped
    expect(store.cursor).toBe('e-2');
    expect(store.snapshot(MINUTE, 10).cursor).toBe('e-2');
  });
});

describe('Store.keep', () => {
  it('returns exactly the samples it stored, so streams carry what history holds', () => {
    const store = new Store({ retentionMs: 60_000, maxPointsPerSeries: 100, maxSeries: 2, now: () => 100_000 });
    const samples = [
      { series: 'a', t: 90_000, v: 1 },
      { series: 'b', t: 90_000, v: 2 },
      { series: 'c', t: 90_000, v: 3 }, // over the series cap
      { series: 'a', t: 80_000, v: 4 }, // out of order
      { series: 'a', t: 1_000, v: 5 }, // past retention
      { series: 'b', t: 95_000, v: 6 },
    ];
    const { kept } = store.keep({ id: 'e-1', samples });
    expect(kept.map((s) => s.v)).toEqual([1, 2, 6]);
    const all = store.keep({ id: 'e-2', samples: [{ series: 'a', t: 99_000, v: 7 }] });
    expect(all.kept.map((s) => s.v)).toEqual([7]);
  });
});

describe('Store: series of Pulseboard’s own collector', () => {
  const CPU = 'host_cpu_utilization_ratio{instance="web-1"}';
  const collected = (samples: Sample[]): BusMessage => ({ ...message(samples), origin: 'collector' });

  it('refuses other writers’ points and metadata in a series the collector writes, counting them as reserved', () => {
    const { store } = storeAt(1_000_000);
    expect(store.reserved(CPU)).toBe(false);
    store.apply(collected([s(CPU, 1_000_000, 0.5)]));
    expect(store.reserved(CPU)).toBe(true);
    const forged: MetricMeta = { name: 'host_cpu_utilization_ratio', unit: 'bytes', type: 'counter', help: 'forged' };
    const { kept, announced } = store.keep(message([s(CPU, 1_000_500, 99), s('other', 1_000_500, 1)], [forged]));
    expect(kept).toEqual([s('other', 1_000_500, 1)]);
    expect(announced.series).toEqual(['other']);
    expect(announced.metrics.map((m) => m.name)).toEqual(['other']);
    expect(store.dropped.reserved).toBe(1);
    expect(store.meta(CPU)?.unit).toBe('ratio');
    expect(store.metric('host_cpu_utilization_ratio')?.help).toBeUndefined();
    // The collector's next point is stored as usual.
    expect(store.keep(collected([s(CPU, 1_001_000, 0.6)])).kept).toHaveLength(1);
    expect(store.history(CPU, MINUTE, 100)).toEqual([
      [1_000_000, 0.5],
      [1_001_000, 0.6],
    ]);
  });

  it('lets the collector take back a series forged ahead of time before its first point, dropping the forged points and metadata', () => {
    const { store } = storeAt(1_000_000);
    const forged: MetricMeta = { name: 'host_cpu_utilization_ratio', unit: 'bytes', type: 'gauge' };
    store.apply(message([s(CPU, 1_000_000 + 10 * MINUTE, 42)], [forged]));
    const { kept, announced } = store.keep(collected([s(CPU, 1_000_000, 0.5)]));
    expect(kept).toEqual([s(CPU, 1_000_000, 0.5)]);
    expect(announced).toEqual({ series: [], metrics: [{ name: 'host_cpu_utilization_ratio', unit: 'ratio', type: 'gauge' }] });
    expect(store.history(CPU, MINUTE, 100)).toEqual([[1_000_000, 0.5]]);
    expect(store.dropped.outOfOrder).toBe(0);
  });

  it('reserves only the exact keys the collector writes', () => {
    const { store } = storeAt(1_000_000);
    store.apply(collected([s(CPU, 1_000_000, 0.5)]));
    const { kept } = store.keep(message([s('host_cpu_utilization_ratio', 1_000_000, 1), s('host_cpu_utilization_ratio{instance="web-2"}', 1_000_000, 1)]));
    expect(kept).toHaveLength(2);
    expect(store.dropped.reserved).toBe(0);
  });
});

describe('Store.reserve and restore (the hot tier back from disk at start)', () => {
  it('sizes every ring once for what is coming, then holds exactly what was restored, in order', () => {
    const { store, clock } = storeAt(1_000_000, { maxPointsPerSeries: 1_000 });
    const metrics = new Map<string, MetricMeta>([['load', { name: 'load', unit: 'percent', type: 'gauge' }]]);
    const keys = Array.from({ length: 50 }, (_, i) => `load{n="${i}"}`);
    store.reserve(
      keys.map((k, i) => [k, 10 + i] as const),
      metrics,
    );
    expect(store.size).toBe(50);
    expect(store.metric('load')?.unit).toBe('percent');
    keys.forEach((key, i) => {
      const n = 10 + i;
      const times = Float64Array.from({ length: n }, (_, j) => clock.now - (n - j) * 1_000);
      const values = Float64Array.from({ length: n }, (_, j) => j * i);
      // In two chunks, as the blocks give them.
      store.restore(key, times.subarray(0, 5), values.subarray(0, 5), metrics);
      store.restore(key, times.subarray(5), values.subarray(5), metrics);
    });
    keys.forEach((key, i) => {
      const n = 10 + i;
      const points = store.history(key, 60_000_000, Infinity)!;
      expect(points).toHaveLength(n);
      expect(points.map(([, v]) => v)).toEqual(Array.from({ length: n }, (_, j) => j * i));
    });
    // Live points after the restored ones: the rings grow past their share as they must.
    for (let j = 0; j < 100; j++) store.apply(message(keys.map((series) => ({ series, t: clock.now + j, v: -j }))));
    expect(store.history(keys[3]!, 60_000_000, Infinity)).toHaveLength(13 + 100);
    expect(store.newest(keys[3]!)).toBe(clock.now + 99);
  });

  it('reserves no more than maxPointsPerSeries, and nothing for series over MAX_SERIES', () => {
    const { store } = storeAt(1_000_000, { maxPointsPerSeries: 20, maxSeries: 2 });
    store.reserve(
      [
        ['a', 1_000_000],
        ['b', 5],
        ['c', 5],
      ],
      new Map(),
    );
    expect(store.size).toBe(2);
    expect(store.has('c')).toBe(false);
  });
});
