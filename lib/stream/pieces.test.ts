import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusMessage } from '@/lib/bus';
import type { Sample } from '@/lib/series';
import { Store } from '@/lib/store';
import { CHUNK_BYTES } from './encode';
import type { Hub } from './hub';
import { ALL, Client, NONE, drainHubs, hub, message, next, openPastHello, parse, untilLive, type Reader } from './testing';

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).byteLength;

// The review's request: one family of 8,500 series, its HELP changed on every request.
const SERIES = 8_500;
const NAME = 'app_requests_total';
const keyOf = (i: number) => `${NAME}{path="/p${i}"}`;
const KEY_BYTES = Array.from({ length: SERIES }, (_, i) => JSON.stringify(keyOf(i)).length).reduce((a, b) => a + b, 0);

/** Request `round` as ingest makes it: 8,500 samples, and the family's metadata with a help text of 1 KB. */
function request(round: number, help: string): BusMessage {
  const samples = Array.from({ length: SERIES }, (_, i): Sample => ({ series: keyOf(i), t: 1_000_000 + round, v: round }));
  return { id: `k1-${round}`, samples, metrics: [{ name: NAME, unit: 'none', type: 'counter', help }] };
}

/** Store, then streams: what the runtime does with each bus message. */
function publish(store: Store, h: Hub, m: BusMessage): void {
  const { announced, kept } = store.keep(m);
  h.broadcast({ ...m, samples: kept }, announced);
}

/** Reads chunks until the one holding the `points` event with `id`; all of them. */
async function untilId(reader: Reader, id: string): Promise<string[]> {
  const chunks: string[] = [];
  while (!parse(chunks.at(-1) ?? '').events.some((e) => e.id === id)) chunks.push(await next(reader));
  return chunks;
}

afterEach(() => {
  drainHubs();
  vi.useRealTimers();
});

describe('Hub: the review’s HELP amplification, at unit level', () => {
  const store = () => new Store({ retentionMs: 3_600_000, maxPointsPerSeries: 100, maxSeries: 10_000, now: () => 1_000_000 });

  it('hands a reading stream chunks of at most 64 KB, each whole events, and names a help text once, not once per series', async () => {
    const s = store();
    const h = hub();
    const reader = await openPastHello(h, ALL);
    const client = new Client();
    const help = 'Requests served, by path. '.repeat(40).slice(0, 1024);
    let total = 0;
    for (let round = 1; round <= 3; round++) {
      publish(s, h, request(round, `${help.slice(0, 1000)} (${round})`));
      const chunks = await untilId(reader, `k1-${round}`);
      for (const chunk of chunks) {
        expect(bytesOf(chunk)).toBeLessThanOrEqual(CHUNK_BYTES);
        // Each chunk parses on its own into whole events.
        expect(chunk.endsWith('\n\n')).toBe(true);
        expect(parse(chunk).events.length).toBeGreaterThan(0);
        client.feed(chunk);
      }
      const text = chunks.join('');
      total += bytesOf(text);
      expect(text.split(`(${round})`)).toHaveLength(2); // the help text, once
    }
    // The first request announces 8,500 keys and the help once; the next two only the help.
    const series = client.series;
    expect(series).toHaveLength(SERIES);
    expect(client.metrics.map((m) => m.help?.slice(-3))).toEqual(['(1)', '(2)', '(3)']);
    expect(client.points).toHaveLength(3 * SERIES);
    // O(help + keys): three rounds of points (each about the keys again) and the keys once, not help × series (26 MB).
    expect(total).toBeLessThan(4 * (KEY_BYTES + SERIES * 40) + 3 * 2_048);
  });

  it('cuts a stream that never reads past STREAM_MAX_QUEUE_BYTES, even when it is all one batch, while a reading one gets it all', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout'] });
    const s = store();
    const h = hub({ maxQueueBytes: 256 * 1024, heartbeatMs: 1_000 });
    // Both read their hello and then wait with a read pending, as a server's response does; one never reads again.
    const stalled = await openPastHello(h, ALL);
    const stalledRead = stalled.read();
    const reading = await openPastHello(h, ALL);
    publish(s, h, request(1, 'one batch of about 900 KB'));
    const chunks = await untilId(reading, 'k1-1');
    expect(chunks.length).toBeGreaterThan(10);
    // The stalled stream took the first chunk and holds the rest: over the cap at the next arrival, a ping at the latest.
    expect(h.size).toBe(2);
    expect((await stalledRead).value?.byteLength).toBeLessThanOrEqual(CHUNK_BYTES);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.stats.slowDisconnects).toBe(1);
    expect(h.size).toBe(1);
    await expect(stalled.read()).rejects.toThrow(/too slow/);
    expect(h.queuedBytes()).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('resumes across a batch split into pieces: a client cut after any piece gets exactly the rest, nothing twice', async () => {
    const s = store();
    const h = hub();
    publish(s, h, { id: 'k1-0', samples: [{ series: 'seed', t: 1_000_000, v: 0 }] });
    const batch = request(1, 'help');
    // Live: the batch in pieces, read up to piece k, then the connection breaks.
    const live = await openPastHello(h, ALL);
    publish(s, h, batch);
    const chunks = await untilId(live, 'k1-1');
    expect(chunks.length).toBeGreaterThan(5);
    for (let k = 0; k < chunks.length; k++) {
      const client = new Client('k1-0');
      for (const chunk of chunks.slice(0, k)) client.feed(chunk);
      client.disconnect();
      // Pieces before the last carry no id: the client resumes from the batch before.
      expect(client.lastId).toBe('k1-0');
      expect(client.points).toEqual([]);
      const resumed = h.open(ALL, { since: client.lastId ?? undefined }).getReader();
      for (const chunk of await untilLive(resumed)) client.feed(chunk);
      await resumed.cancel();
      expect(client.points).toEqual(batch.samples);
      expect(client.series).toHaveLength(SERIES);
      expect(client.lastId).toBe('k1-1');
    }
  });

  it('splits one large log entry across chunks of a catch-up, and a client cut inside it resumes with nothing missed or twice', async () => {
    const s = store();
    const h = hub();
    publish(s, h, { id: 'k1-0', samples: [{ series: 'seed', t: 1_000_000, v: 0 }] });
    publish(s, h, request(1, 'help'));
    publish(s, h, request(2, 'help, changed'));
    const first = h.open(ALL, { since: 'k1-0' }).getReader();
    const chunks = await untilLive(first);
    await first.cancel();
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(bytesOf(c)).toBeLessThanOrEqual(CHUNK_BYTES);
    for (const k of [1, 3, Math.floor(chunks.length / 2), chunks.length - 2]) {
      const client = new Client('k1-0');
      for (const chunk of chunks.slice(0, k)) client.feed(chunk);
      client.disconnect();
      const resumed = h.open(ALL, { since: client.lastId ?? undefined }).getReader();
      for (const chunk of await untilLive(resumed)) client.feed(chunk);
      await resumed.cancel();
      const got = client.points.map((p) => `${p.series}@${p.t}`);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toHaveLength(2 * SERIES);
    }
  });
});

describe('Hub: a stream never read', () => {
  it('is closed after twice the heartbeat interval (a HEAD request, a client that never reads its first byte); a read one stays', async () => {
    vi.useFakeTimers();
    const h = hub({ heartbeatMs: 1_000 });
    h.open(ALL); // never read
    const read = await openPastHello(h, ALL);
    expect(h.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.size).toBe(1);
    expect(h.stats).toMatchObject({ neverRead: 1, slowDisconnects: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.size).toBe(1);
    h.broadcast(message('k1-1', [{ series: 'm', t: 1, v: 1 }]), NONE);
    await untilId(read, 'k1-1');
  });
});
