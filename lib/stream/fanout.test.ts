import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileSeriesFilter, type Sample, type SeriesFilter } from '@/lib/series';
import { ALL, NONE, drainHubs, hub, message, next, openPastHello, parse, type Reader } from './testing';

afterEach(() => {
  drainHubs();
  vi.useRealTimers();
});

const KEYS = 2_000;
const keyOf = (i: number) => `app_latency_seconds{route="/r${i}",pod="web-${i % 7}"}`;
const round = (t: number): Sample[] => Array.from({ length: KEYS }, (_, i) => ({ series: keyOf(i), t, v: i }));

/** A filter of 64 globs (as a hostile client sends), matching the routes starting `/r<n>`, counting the keys it is run over. */
function hostile(n: number): SeriesFilter & { calls: number } {
  const inner = compileSeriesFilter(Array.from({ length: 64 }, (_, g) => (g === 0 ? `app_*{route="/r${n}*` : `app_*{route="/r${n}${g}*"*pod="x*`)));
  const filter = { id: inner.id, cost: inner.cost, calls: 0, matches: (key: string) => (filter.calls++, inner.matches(key)) };
  return filter;
}

/** The ids of the `points` events in the chunks a reader has now, reading until one holds `id`. */
async function idsUntil(reader: Reader, id: string): Promise<string[]> {
  const ids: string[] = [];
  while (!ids.includes(id)) for (const e of parse(await next(reader)).events) if (e.event === 'points' && e.id) ids.push(e.id);
  return ids;
}

describe('Hub: matching work per flush is bounded by maxMatchWork (QUERY_MAX_WORK)', () => {
  it('delays only the groups whose pairs are not cached, round robin, in order; cached groups get the batch in the same flush', async () => {
    const filters = Array.from({ length: 10 }, (_, n) => hostile(n));
    const pair = filters[0]!.cost * keyOf(0).length;
    // Room for about 300 uncached pairs a turn: the burst needs 10 × 2,000.
    const h = hub({ maxMatchWork: 300 * pair });
    const cached = await openPastHello(h, compileSeriesFilter(['app_latency_seconds{route="/r1*']));
    const all = await openPastHello(h, ALL);
    h.broadcast(message('k1-1', round(1)), NONE);
    // The first round is new to every filter; the unfiltered one costs nothing.
    await idsUntil(all, 'k1-1');
    await idsUntil(cached, 'k1-1');

    const readers: Reader[] = [];
    for (const f of filters) readers.push(await openPastHello(h, f));
    // A cached group's stream is sent the batch within the flush: a read pending now is answered before any later turn.
    const cachedRead = next(cached);
    h.broadcast(message('k1-2', round(2)), NONE);
    const calls = filters.map((f) => f.calls);
    expect(h.deferred).toBe(10);
    // The flush spent its budget, spread over the ten groups, about 30 pairs each: none has more than its share.
    expect(calls.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300 + 10);
    for (const c of calls) expect(c).toBeGreaterThan(0);
    for (const c of calls) expect(c).toBeLessThanOrEqual(31);
    expect(parse(await cachedRead).events.map((e) => e.event)).toEqual(['points']);
    expect(await idsUntil(cached, 'k1-2')).toEqual(['k1-2']);
    expect(await idsUntil(all, 'k1-2')).toEqual(['k1-2']);
    // A later batch waits behind the earlier one in a delayed group, and goes at once to the others.
    h.broadcast(message('k1-3', round(3)), NONE);
    expect(await idsUntil(cached, 'k1-3')).toEqual(['k1-3']);

    // The delayed groups get both batches later, in order, each key matched once.
    for (const reader of readers) expect(await idsUntil(reader, 'k1-3')).toEqual(['k1-2', 'k1-3']);
    for (const f of filters) expect(f.calls).toBe(KEYS);
    expect(h.deferred).toBe(0);
  });

  it('never claims in a ping a cursor a delayed group has not been given yet', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout'] });
    const f = hostile(1);
    const h = hub({ heartbeatMs: 1_000, maxMatchWork: 10 * f.cost * keyOf(0).length });
    h.broadcast(message('k1-0', [{ series: 'seed', t: 0, v: 0 }]), NONE);
    const delayed = await openPastHello(h, f);
    const all = await openPastHello(h, ALL);
    h.broadcast(message('k1-1', round(1)), NONE);
    expect(h.deferred).toBe(1);
    vi.advanceTimersByTime(1_000); // the ping, before any later turn of matching
    const pings = (reader: Reader) => next(reader).then((text) => text.split('\n').filter((l) => l.startsWith('id: ')));
    expect(await pings(delayed)).toEqual(['id: k1-0']);
    expect(await idsUntil(all, 'k1-1')).toEqual(['k1-1']);
    expect(await pings(all)).toEqual(['id: k1-1']);
  });

  it('counts a group’s delayed batches against its streams’ queue cap, cutting them as slow', async () => {
    const f = hostile(2);
    const h = hub({ maxQueueBytes: 64 * 1024, maxMatchWork: f.cost * keyOf(0).length });
    const delayed = await openPastHello(h, f);
    const all = await openPastHello(h, ALL);
    // Each round is ~150 KB unfiltered: the second arrives while the first still waits to be matched.
    h.broadcast(message('k1-1', round(1)), NONE);
    await idsUntil(all, 'k1-1'); // the unfiltered stream reads it all meanwhile
    expect(h.deferred).toBe(1);
    h.broadcast(message('k1-2', round(2)), NONE);
    expect(h.stats.slowDisconnects).toBe(1);
    await expect(delayed.read()).rejects.toThrow(/too slow/);
    expect(await idsUntil(all, 'k1-2')).toEqual(['k1-2']);
  });
});
