import { afterEach, describe, expect, it } from 'vitest';
import { compileSeriesFilter, type Sample } from '@/lib/series';
import { StreamLimitError } from './limits';
import { ALL, NONE, drainHubs, hub, message, next, parse, rest, untilLive } from './testing';

const sample = (i: number): Sample => ({ series: `m{i="${i % 10}"}`, t: i, v: i });
const filter = (n: number) => compileSeriesFilter([`m{i="${n}"}`]);

afterEach(drainHubs);

/** What `open` threw, or undefined when it opened. */
function refusal(open: () => unknown): StreamLimitError | undefined {
  try {
    open();
  } catch (err) {
    if (StreamLimitError.is(err)) return err;
    throw err;
  }
  return undefined;
}

describe('Hub caps', () => {
  it('refuses a client address its stream beyond maxStreamsPerClient, not other addresses, and again once one closes', async () => {
    const h = hub({ maxStreamsPerClient: 2 });
    const held = [h.open(ALL, { client: '10.0.0.1' }).getReader(), h.open(ALL, { client: '10.0.0.1' }).getReader()];
    const err = refusal(() => h.open(ALL, { client: '10.0.0.1' }));
    expect(err).toMatchObject({ reason: 'per_client', limit: 2, client: '10.0.0.1' });
    expect(refusal(() => h.open(ALL, { client: '10.0.0.2' }))).toBeUndefined();
    expect(h.size).toBe(3);
    expect(h.stats.refused).toEqual({ per_client: 1, filters: 0, catchups: 0 });

    await held[0]?.cancel();
    expect(refusal(() => h.open(ALL, { client: '10.0.0.1' }))).toBeUndefined();
  });

  it('refuses a new distinct filter beyond maxFilters; a filter already open still joins, and a new one fits once a group is gone', async () => {
    const h = hub({ maxFilters: 2 });
    const a = h.open(filter(1)).getReader();
    h.open(filter(2));
    expect(refusal(() => h.open(filter(3)))).toMatchObject({ reason: 'filters', limit: 2 });
    // The same filter however written: it joins the group of filter 1.
    const b = h.open(compileSeriesFilter(['m{i="1"}', ' m{i="1"}'])).getReader();
    expect([h.filters, h.size, h.stats.refused.filters]).toEqual([2, 3, 1]);

    // The group of filter 1 goes once both of its streams have.
    await a.cancel();
    expect(refusal(() => h.open(filter(3)))).toMatchObject({ reason: 'filters' });
    await b.cancel();
    expect(refusal(() => h.open(filter(3)))).toBeUndefined();
    expect(h.stats.refused.filters).toBe(2);
  });

  it('tells a resuming stream beyond maxCatchUps to come back later, and admits one again when a catch-up ends', async () => {
    const h = hub({ maxCatchUps: 2 });
    for (let i = 0; i <= 1_000; i++) h.broadcast(message(`k1-${i}`, [sample(i)]), NONE);
    const first = h.open(ALL, { since: 'k1-0' }).getReader();
    h.open(ALL, { since: 'k1-0' });

    const refused = (await rest(h.open(ALL, { since: 'k1-0' }).getReader())).join('');
    expect(parse(refused).retries).toHaveLength(1);
    expect(parse(refused).events).toEqual([]); // no id: it comes back with the same Last-Event-ID
    expect(h.stats.refused.catchups).toBe(1);
    expect(h.size).toBe(2);

    // Streams with nothing to read from the log are not catch-ups.
    for (const since of [undefined, 'k1-1000', 'older-epoch-1']) {
      expect(parse(await next(h.open(ALL, { since }).getReader())).retries).toHaveLength(1);
    }
    expect(h.size).toBe(5);

    await untilLive(first);
    expect(h.catchUps).toBe(1);
    const admitted = h.open(ALL, { since: 'k1-999' }).getReader();
    expect(parse((await untilLive(admitted)).join('')).events.map((e) => e.id ?? e.event)).toEqual(['k1-1000', 'live']);
  });
});
