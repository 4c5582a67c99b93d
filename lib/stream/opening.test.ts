import { afterEach, describe, expect, it } from 'vitest';
import { compileSeriesFilter, type Sample } from '@/lib/series';
import type { Hub } from './hub';
import { ALL, NONE, announce, drainHubs, hub, message, next, parse, pointsIn, rest, untilLive, type Reader } from './testing';

const encoder = new TextEncoder();
const PAD = 'x'.repeat(100);
/** Sample `i` of series `m{n}`: about 150 bytes encoded. */
const sample = (n: number, i: number): Sample => ({ series: `m{n="${n}",pad="${PAD}"}`, t: i, v: i });

/**
 * Broadcasts messages `from`..`to` (ids `k1-<i>`), each with one sample of `m{n}` (n = i mod 3)
 * and one of `other`; messages 0, 1 and 2 announce the three `m` series.
 */
function fill(h: Hub, from: number, to: number): void {
  for (let i = from; i <= to; i++) {
    const announced = i < 3 ? announce([sample(i, i).series]) : NONE;
    h.broadcast(message(`k1-${i}`, [sample(i % 3, i), { series: `other{pad="${PAD}"}`, t: i, v: -i }]), announced);
  }
}

const M = compileSeriesFilter(['m{*']);
const values = (text: string) => pointsIn(text).map((p) => p.v);

/** Values of the next `n` points a stream carries (every chunk holds whole events). */
async function readValues(reader: Reader, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) out.push(...values(await next(reader)));
  return out;
}

afterEach(drainHubs);

describe('Hub catch-up, read from the log as the client reads', () => {
  it('delivers exactly the missed events in order across many chunks of about 64 KB, then live, then what arrived meanwhile', async () => {
    const h = hub({ replay: { maxBytes: 16 * 1024 * 1024, maxAgeMs: 60_000 } });
    fill(h, 0, 4_000);
    const reader = h.open(M, { since: 'k1-0' }).getReader();
    fill(h, 4_001, 4_010); // live: after the stream opened, before it read anything

    const chunks = await untilLive(reader);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(encoder.encode(c).byteLength).toBeLessThan(70 * 1024);
    const text = chunks.join('');
    expect(values(text)).toEqual(Array.from({ length: 4_000 }, (_, i) => i + 1));
    const events = parse(text).events;
    // Series announced in the missed messages come before their first points.
    expect(events.slice(0, 2).map((e) => [e.event, (JSON.parse(e.data) as { series?: string[] }).series])).toEqual([
      ['series', [sample(1, 0).series, sample(2, 0).series]],
      ['points', undefined],
    ]);
    expect(events.filter((e) => e.event === 'points').at(-1)?.id).toBe('k1-4000');
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({ cursor: 'k1-4000' });
    expect(events.some((e) => e.event === 'reset')).toBe(false);

    expect(await readValues(reader, 10)).toEqual(Array.from({ length: 10 }, (_, i) => 4_001 + i));
    expect(h.stats).toMatchObject({ resumed: 1, resets: 0 });
    expect(h.catchUps).toBe(0);
  });

  it('holds no encoded replay for resumed streams nobody reads: what they queue does not grow with the log', async () => {
    const queued: number[] = [];
    // Ids of one width, so that the live event is the same size in both runs.
    for (const last of [10_500, 60_000]) {
      const h = hub({ replay: { maxBytes: 64 * 1024 * 1024, maxAgeMs: 60_000 } });
      fill(h, 10_000, last);
      const readers = Array.from({ length: 50 }, () => h.open(M, { since: 'k1-10000' }).getReader());
      expect(h.queuedBytes()).toBe(0);
      expect(h.catchUps).toBe(50);
      // One live event waits behind each catch-up: that, and only that, is held per stream.
      fill(h, last + 1, last + 1);
      queued.push(h.queuedBytes());
      // Reading takes a chunk at a time, of at most 64 KB: it counts until the reader asks for more.
      const chunk = encoder.encode(await next(readers[0]!)).byteLength;
      expect(chunk).toBeLessThanOrEqual(64 * 1024);
      expect(h.queuedBytes()).toBe(queued.at(-1)! + chunk);
    }
    const [small, large] = queued;
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(50 * 1024);
    expect(large).toBe(small);
  });

  it('cuts off a resumed stream that never reads once live events behind its catch-up pass maxQueueBytes', async () => {
    const h = hub({ maxQueueBytes: 16 * 1024, replay: { maxBytes: 16 * 1024 * 1024, maxAgeMs: 60_000 } });
    fill(h, 0, 5_000);
    const reader = h.open(M, { since: 'k1-0' }).getReader();
    let i = 5_000;
    while (h.size > 0 && i < 5_500) fill(h, ++i, i);
    // About 200 bytes per live event: the 16 KiB cap is passed after some 80 of them, not at once.
    expect(i - 5_000).toBeGreaterThan(60);
    expect(i - 5_000).toBeLessThan(100);
    expect(h.stats.slowDisconnects).toBe(1);
    expect(h.catchUps).toBe(0);
    await expect(reader.read()).rejects.toThrow(/too slow/);
  });

  it('sends reset in place of messages the log dropped before the stream read them, then live, then what came after, nothing twice', async () => {
    const h = hub({ replay: { maxBytes: 256 * 1024, maxAgeMs: 60_000 } });
    fill(h, 0, 500); // ~200 KB
    const reader = h.open(M, { since: 'k1-0' }).getReader();
    const first = await next(reader);
    const read = values(first);
    expect(read.length).toBeGreaterThan(100);
    expect(read).toEqual(Array.from({ length: read.length }, (_, i) => i + 1));

    fill(h, 501, 2_000); // pushes everything the stream has yet to read out of the log
    const after = (await untilLive(reader)).join('');
    const events = parse(after).events;
    expect(events.map((e) => e.event)).toEqual(['reset', 'live']);
    expect(events[0]?.id).toBe('k1-500'); // the client refetches history and continues from here
    expect(JSON.parse(events[0]?.data ?? '').reason).toMatch(/refetch/);

    expect(await readValues(reader, 1_500)).toEqual(Array.from({ length: 1_500 }, (_, i) => 501 + i));
    expect(h.stats).toMatchObject({ resumed: 0, resets: 1, slowDisconnects: 0 });
  });

  it('counts a catch-up from open until it has read the log, or until the stream closes', async () => {
    const h = hub();
    fill(h, 0, 1_000);
    const done = h.open(ALL, { since: 'k1-0' }).getReader();
    const cancelled = h.open(ALL, { since: 'k1-0' }).getReader();
    h.open(ALL, { since: 'k1-1000' }); // nothing to read: not a catch-up
    h.open(ALL, { since: 'gone-1' }); // reset at once: not a catch-up
    expect(h.catchUps).toBe(2);
    await untilLive(done);
    expect(h.catchUps).toBe(1);
    await cancelled.cancel();
    expect(h.catchUps).toBe(0);
    expect(h.stats).toMatchObject({ resumed: 1, resets: 1 });
  });

  it('at shutdown tells a stream still catching up when to come back, ahead of what it has not read', async () => {
    const h = hub();
    fill(h, 0, 2_000);
    const reader = h.open(M, { since: 'k1-0' }).getReader();
    await next(reader);
    h.drain(1_000);
    const { retries, events } = parse((await rest(reader)).join(''));
    expect(retries).toHaveLength(1);
    expect(events).toEqual([]);
    expect([h.size, h.catchUps]).toEqual([0, 0]);
  });
});
