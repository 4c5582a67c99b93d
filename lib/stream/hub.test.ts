import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileSeriesFilter, type Sample, type SeriesFilter } from '@/lib/series';
import { ALL, CPU, NONE, announce, drainHubs, hub, message, next, openPastHello, parse, rest } from './testing';

const decoder = new TextDecoder();

const cpu0: Sample = { series: 'host_cpu_utilization_ratio', t: 1_000, v: 0.25 };
const mem: Sample = { series: 'host_memory_used_bytes', t: 1_000, v: 4096 };

afterEach(() => {
  drainHubs();
  vi.useRealTimers();
});

describe('Hub', () => {
  it('starts every stream with a jittered retry hint of 0.5× to 1.5× the base delay, then a live event', async () => {
    const h = hub({ retryMs: 2_000 });
    for (let i = 0; i < 20; i++) {
      const reader = h.open(ALL).getReader();
      const text = await next(reader);
      expect(text).toMatch(/^retry: \d+\n\n/);
      expect(parse(text).events.map((e) => e.event)).toEqual(['live']);
      const [retry] = parse(text).retries;
      expect(retry).toBeGreaterThanOrEqual(1_000);
      expect(retry).toBeLessThanOrEqual(3_000);
      await reader.cancel();
    }
    expect(h.size).toBe(0);
  });

  it('sends a points event with the message id, holding only the samples the filter matches', async () => {
    const h = hub();
    const reader = await openPastHello(h, CPU);
    h.broadcast(message('k1-7', [cpu0, mem]), NONE);
    const { events } = parse(await next(reader));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'points', id: 'k1-7' });
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({ points: [cpu0] });
  });

  it('sends nothing to a stream when no sample of a message matches its filter', async () => {
    const h = hub();
    const reader = await openPastHello(h, CPU);
    h.broadcast(message('k1-1', [mem]), NONE);
    h.broadcast(message('k1-2', [cpu0]), NONE);
    // The first read already carries the second message.
    expect(parse(await next(reader)).events.map((e) => e.id)).toEqual(['k1-2']);
  });

  it('sends every sample to an unfiltered stream', async () => {
    const h = hub();
    const reader = await openPastHello(h, ALL);
    h.broadcast(message('k1-1', [cpu0, mem]), NONE);
    const [event] = parse(await next(reader)).events;
    expect(JSON.parse(event?.data ?? '')).toEqual({ points: [cpu0, mem] });
  });

  it('announces new series matching the filter in a series event before their points', async () => {
    const h = hub();
    const reader = await openPastHello(h, CPU);
    h.broadcast(message('k1-1', [cpu0, mem]), announce([cpu0.series, mem.series], 'CPU time'));

    // Both events travel in one chunk, the announcement first, with the description of its name.
    const [first, second, ...more] = parse(await next(reader)).events;
    expect(more).toHaveLength(0);
    expect(first?.event).toBe('series');
    expect(first?.id).toBeUndefined(); // only a batch's last event carries its id
    expect(JSON.parse(first?.data ?? '')).toEqual({
      metrics: [{ name: 'host_cpu_utilization_ratio', unit: 'ratio', type: 'gauge', help: 'CPU time' }],
      series: [cpu0.series],
      more: true, // a piece of the batch its points end
    });
    expect([second?.event, second?.id]).toEqual(['points', 'k1-1']);
  });

  it('sends byte-identical chunks to streams with equal filters, however the globs were written', async () => {
    const h = hub();
    const a = await openPastHello(h, compileSeriesFilter(['host_cpu_*', 'host_memory_*']));
    const b = await openPastHello(h, compileSeriesFilter(['host_memory_*', ' host_cpu_* ', 'host_cpu_*']));
    const other = await openPastHello(h, CPU);
    h.broadcast(message('k1-1', [cpu0, mem]), announce([mem.series]));
    const chunkA = await next(a);
    expect(await next(b)).toEqual(chunkA);
    expect(chunkA).toContain('host_memory_used_bytes');
    expect(await next(other)).not.toContain('host_memory_used_bytes');
  });

  it('removes a stream whose reader cancels', async () => {
    const h = hub();
    const reader = await openPastHello(h, CPU);
    const kept = await openPastHello(h, CPU);
    expect(h.size).toBe(2);
    await reader.cancel();
    expect(h.size).toBe(1);
    expect(h.stats).toMatchObject({ opened: 2, closed: 1 });
    // The remaining stream of the same filter still gets its events.
    h.broadcast(message('k1-1', [cpu0]), NONE);
    expect(parse(await next(kept)).events[0]?.id).toBe('k1-1');
    expect(h.stats.eventsSent).toBe(1);
  });

  it('closes and removes a stream when its abort signal fires', async () => {
    const h = hub();
    const abort = new AbortController();
    const reader = await openPastHello(h, ALL, abort.signal);
    expect(h.size).toBe(1);
    abort.abort();
    expect(h.size).toBe(0);
    expect(h.stats.closed).toBe(1);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    h.broadcast(message('k1-1', [cpu0]), NONE);
    expect(h.stats.eventsSent).toBe(0);
  });

  it('closes at once a stream opened with an already-aborted signal', async () => {
    const h = hub();
    const reader = h.open(ALL, { signal: AbortSignal.abort() }).getReader();
    expect(h.size).toBe(0);
    await rest(reader);
  });

  it('drains: every stream gets a retry hint within the drain window and ends, and later opens end after their hint', async () => {
    const h = hub({ retryMs: 1_000 });
    const a = await openPastHello(h, ALL);
    const b = await openPastHello(h, CPU);
    h.drain(1_000);
    expect(h.size).toBe(0);
    for (const reader of [a, b]) {
      const chunks = await rest(reader);
      expect(chunks).toHaveLength(1);
      const { retries, events } = parse(chunks.join(''));
      expect(events).toEqual([]);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toBeGreaterThanOrEqual(250);
      expect(retries[0]).toBeLessThanOrEqual(1_250);
    }

    const late = h.open(ALL).getReader();
    expect(h.size).toBe(0);
    const chunks = await rest(late);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/^retry: \d+\n\n$/);
    expect(h.stats.opened).toBe(2);
  });

  it('cuts off a stream whose reader falls behind by more than maxQueueBytes, sparing the others', async () => {
    const h = hub({ maxQueueBytes: 2_048 });
    const slow = h.open(ALL).getReader(); // never read: live events queue behind its hello, which is not even made
    const fast = await openPastHello(h, ALL);
    const big: Sample = { series: `big{pad="${'x'.repeat(200)}"}`, t: 1, v: 1 };
    let sent = 0;
    while (h.size === 2 && sent < 100) {
      h.broadcast(message(`k1-${++sent}`, [big]), NONE);
      expect(parse(await next(fast)).events[0]?.id).toBe(`k1-${sent}`);
    }
    // Each event is ~270 bytes: the queue passes 2 KiB on about the eighth.
    expect(sent).toBeGreaterThan(5);
    expect(sent).toBeLessThan(12);
    expect(h.size).toBe(1);
    expect(h.stats.slowDisconnects).toBe(1);
    await expect(slow.read()).rejects.toThrow(/too slow/);

    h.broadcast(message('k1-last', [big]), NONE);
    expect(parse(await next(fast)).events[0]?.id).toBe('k1-last');
  });

  it('counts events and bytes sent', async () => {
    const h = hub();
    const a = await openPastHello(h, ALL);
    const b = await openPastHello(h, ALL);
    h.broadcast(message('k1-1', [cpu0]), NONE);
    const chunk = await next(a);
    await next(b);
    expect(h.stats.eventsSent).toBe(2);
    expect(h.stats.bytesSent).toBe(2 * new TextEncoder().encode(chunk).byteLength);
  });

  it('sends a ping comment every heartbeatMs while a stream is open, and none before', async () => {
    vi.useFakeTimers();
    const h = hub({ heartbeatMs: 5_000 });
    const reader = await openPastHello(h, ALL);

    let settled = false;
    const pending = reader.read().then((r) => {
      settled = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { value } = await pending;
    expect(decoder.decode(value)).toBe(': ping\n\n');
    expect(parse(decoder.decode(value)).comments).toEqual(['ping']);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(await next(reader)).toBe(': ping\n\n');
    await reader.cancel();
  });

  it('runs one heartbeat timer while any stream is open, and none once all have closed', async () => {
    vi.useFakeTimers();
    const h = hub({ heartbeatMs: 5_000 });
    expect(vi.getTimerCount()).toBe(0);
    const abort = new AbortController();
    const a = await openPastHello(h, ALL, abort.signal);
    const b = await openPastHello(h, CPU);
    expect(vi.getTimerCount()).toBe(1);

    abort.abort();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await next(b)).toBe(': ping\n\n');

    await b.cancel();
    expect(h.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await a.read()).toMatchObject({ done: true });

    // And it starts again with the next stream.
    const c = await openPastHello(h, ALL);
    expect(vi.getTimerCount()).toBe(1);
    h.drain();
    expect(vi.getTimerCount()).toBe(0);
    await rest(c);
  });

  it('coalesces messages of one flush interval into one event with the last id, in order', async () => {
    vi.useFakeTimers();
    const h = hub({ flushMs: 25 });
    const reader = await openPastHello(h, ALL);
    const cpu1 = { ...cpu0, t: 2_000, v: 0.5 };
    h.broadcast(message('k1-1', [cpu0]), NONE);
    h.broadcast(message('k1-2', [mem]), NONE);
    h.broadcast(message('k1-3', [cpu1]), NONE);
    vi.advanceTimersByTime(25);
    const events = parse(await next(reader)).events;
    expect(events.map((e) => [e.event, e.id])).toEqual([['points', 'k1-3']]);
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({ points: [cpu0, mem, cpu1] });
    vi.useRealTimers();
  });

  it('flushes what is pending before draining, so shutdown loses nothing', async () => {
    const h = hub({ flushMs: 10_000 });
    const reader = await openPastHello(h, ALL);
    h.broadcast(message('k1-1', [cpu0]), NONE);
    h.drain();
    const text = (await rest(reader)).join('');
    expect(parse(text).events.map((e) => e.id)).toEqual(['k1-1']);
  });

  describe('resume', () => {
    it('replays exactly the events after the cursor, filtered, before going live', async () => {
      const h = hub();
      const cpu1 = { ...cpu0, t: 2_000 };
      const cpu2 = { ...cpu0, t: 3_000 };
      h.broadcast(message('k1-1', [cpu0]), NONE);
      h.broadcast(message('k1-2', [mem, cpu1]), NONE);
      h.broadcast(message('k1-3', [cpu2]), NONE);
      const reader = h.open(CPU, { since: 'k1-1' }).getReader();
      const events = parse(await next(reader)).events;
      expect(events.map((e) => [e.event, e.id])).toEqual([
        ['points', 'k1-3'],
        ['live', undefined],
      ]);
      expect(JSON.parse(events[0]?.data ?? '').points).toEqual([cpu1, cpu2]);
      expect(h.stats.resumed).toBe(1);
    });

    it('hands out a replay larger than the queue cap as the reader reads, without cutting it off', async () => {
      const h = hub({ maxQueueBytes: 16 * 1024 });
      const big = (i: number): Sample => ({ series: `big{pad="${'x'.repeat(500)}",i="${i}"}`, t: i, v: i });
      h.broadcast(message('k1-0', [cpu0]), NONE);
      for (let i = 1; i <= 400; i++) h.broadcast(message(`k1-${i}`, [big(i)]), NONE);
      const text = (await (async () => {
        const reader = h.open(ALL, { since: 'k1-0' }).getReader();
        let out = '';
        while (!out.includes('event: live')) out += await next(reader);
        return out;
      })());
      const points = parse(text).events.filter((e) => e.event === 'points').flatMap((e) => JSON.parse(e.data).points as Sample[]);
      expect(points.map((p) => p.v)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      expect(h.stats.slowDisconnects).toBe(0);
      expect(h.size).toBe(1);
    });

    it('sends nothing to replay when the cursor is the newest', async () => {
      const h = hub();
      h.broadcast(message('k1-1', [cpu0]), NONE);
      const events = parse(await next(h.open(ALL, { since: 'k1-1' }).getReader())).events;
      expect(events.map((e) => e.event)).toEqual(['live']);
    });

    it('tells a client with an unknown or evicted cursor to refetch, with the current id', async () => {
      const h = hub({ replay: { maxBytes: 64 * 1024, maxAgeMs: 60_000 } });
      h.broadcast(message('k1-1', [cpu0]), NONE);
      const events = parse(await next(h.open(ALL, { since: 'old-epoch-7' }).getReader())).events;
      expect(events.map((e) => [e.event, e.id])).toEqual([
        ['reset', 'k1-1'],
        ['live', undefined],
      ]);
      expect(h.stats.resets).toBe(1);
    });

    it('does not send a pending batch twice to a stream that resumes while it waits to flush', async () => {
      const h = hub({ flushMs: 10_000 });
      const early = await openPastHello(h, ALL);
      h.broadcast(message('k1-1', [cpu0]), NONE);
      h.broadcast(message('k1-2', [mem]), NONE);
      const late = h.open(ALL, { since: 'k1-1' }).getReader();
      const lateEvents = parse(await next(late)).events.filter((e) => e.event === 'points');
      expect(lateEvents.map((e) => [e.id, JSON.parse(e.data).points])).toEqual([['k1-2', [mem]]]);
      expect(parse(await next(early)).events.map((e) => e.id)).toEqual(['k1-2']);
      h.flush();
      h.broadcast(message('k1-3', [cpu0]), NONE);
      h.flush();
      expect(parse(await next(late)).events.map((e) => e.id)).toEqual(['k1-3']);
    });
  });

  it('sheds streams beyond maxStreams with a retry hint and an immediate close', async () => {
    const h = hub({ maxStreams: 1 });
    await openPastHello(h, ALL);
    const shed = h.open(ALL).getReader();
    const text = (await rest(shed)).join('');
    expect(parse(text).retries).toHaveLength(1);
    expect(h.stats.shed).toBe(1);
    expect(h.size).toBe(1);
  });

  it('tells open streams when the bus goes down and comes back, and streams opened meanwhile at once', async () => {
    const h = hub();
    const open = await openPastHello(h);
    h.setBusState({ state: 'down', since: 5, message: 'Redis is unreachable (ECONNREFUSED): new points are delayed' });
    expect(parse(await next(open)).events).toEqual([
      expect.objectContaining({ event: 'bus', data: JSON.stringify({ state: 'down', since: 5, message: 'Redis is unreachable (ECONNREFUSED): new points are delayed' }) }),
    ]);
    // Same state again: nothing sent.
    h.setBusState({ state: 'down', since: 5 });
    const later = h.open(ALL).getReader();
    expect(parse(await next(later)).events.map((e) => e.event)).toEqual(['live', 'bus']);
    h.setBusState({ state: 'up', since: 9 });
    for (const reader of [open, later]) expect(parse(await next(reader)).events.map((e) => [e.event, JSON.parse(e.data).state])).toEqual([['bus', 'up']]);
    const after = h.open(ALL).getReader();
    expect(parse(await next(after)).events.map((e) => e.event)).toEqual(['live']);
  });

  it('runs a filter over each series once, not once per sample and flush', async () => {
    let calls = 0;
    const inner = compileSeriesFilter(['m{i="1"}', 'm{i="2"}']);
    const counted: SeriesFilter = { id: inner.id, cost: inner.cost, matches: (key) => (calls++, inner.matches(key)) };
    const h = hub();
    const reader = h.open(counted).getReader();
    await next(reader);
    for (let i = 0; i < 1_000; i++) h.broadcast(message(`k1-${i}`, [{ series: `m{i="${i % 10}"}`, t: i, v: i }]), NONE);
    let seen = 0;
    while (seen < 200) seen += parse(await next(reader)).events.length;
    expect(calls).toBe(10);
  });
});
