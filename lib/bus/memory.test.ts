import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryBus } from './memory';
import type { Batch, BusMessage } from './types';

const batch = (v: number): Batch => ({ samples: [{ series: 'x', t: v, v }] });

/** The parts of a `<epoch>-<seq>` cursor. */
function parts(cursor: string): { epoch: string; seq: number } {
  const m = /^([0-9a-z]+)-(\d+)$/.exec(cursor);
  if (!m) throw new Error(`not an <epoch>-<seq> cursor: ${cursor}`);
  return { epoch: m[1] as string, seq: Number(m[2]) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MemoryBus', () => {
  it('has no last id before the first publish', () => {
    expect(new MemoryBus(1).lastId).toBeNull();
  });

  it('gives each batch a cursor of the bus epoch and a strictly increasing sequence number', async () => {
    const bus = new MemoryBus(1_700_000_000_000);
    const cursors: string[] = [];
    for (let i = 0; i < 25; i++) cursors.push(await bus.publish(batch(i)));
    expect(new Set(cursors).size).toBe(25);
    const parsed = cursors.map(parts);
    expect(parsed.every((p) => p.epoch === (1_700_000_000_000).toString(36))).toBe(true);
    expect(parsed.map((p) => p.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(bus.lastId).toBe(cursors.at(-1));
  });

  it('delivers every message, with its cursor, to every subscriber in publish order', async () => {
    const bus = new MemoryBus(7);
    const a: BusMessage[] = [];
    const b: BusMessage[] = [];
    bus.subscribe((m) => a.push(m));
    bus.subscribe((m) => b.push(m));
    const ids = [await bus.publish(batch(1)), await bus.publish(batch(2)), await bus.publish({ ...batch(3), metrics: [] })];
    expect(a.map((m) => m.id)).toEqual(ids);
    expect(b).toEqual(a);
    expect(a.map((m) => m.samples[0]?.v)).toEqual([1, 2, 3]);
    expect(a[2]?.metrics).toEqual([]);
  });

  it('delivers synchronously, before publish resolves', () => {
    const bus = new MemoryBus(7);
    const seen: string[] = [];
    bus.subscribe((m) => seen.push(m.id));
    void bus.publish(batch(1));
    expect(seen).toEqual([bus.lastId]);
  });

  it('stops delivering to a listener once it unsubscribes, and only to that one', async () => {
    const bus = new MemoryBus(7);
    const a: string[] = [];
    const b: string[] = [];
    const offA = bus.subscribe((m) => a.push(m.id));
    bus.subscribe((m) => b.push(m.id));
    const first = await bus.publish(batch(1));
    offA();
    const second = await bus.publish(batch(2));
    expect(a).toEqual([first]);
    expect(b).toEqual([first, second]);
  });

  it('keeps delivering to the other listeners, and resolves publish, when one throws', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = new MemoryBus(7);
    const before: string[] = [];
    const after: string[] = [];
    bus.subscribe((m) => before.push(m.id));
    bus.subscribe(() => {
      throw new Error('listener broke');
    });
    bus.subscribe((m) => after.push(m.id));
    const id = await bus.publish(batch(1));
    const next = await bus.publish(batch(2));
    expect(before).toEqual([id, next]);
    expect(after).toEqual([id, next]);
    expect(error).toHaveBeenCalledTimes(2);
  });

  it('gives buses of different epochs different cursors, so an old run’s ids are never mistaken for new ones', async () => {
    const earlier = new MemoryBus(1_700_000_000_000);
    const later = new MemoryBus(1_700_000_000_001);
    expect(earlier.epoch).not.toBe(later.epoch);
    const a = await earlier.publish(batch(1));
    const b = await later.publish(batch(1));
    expect(a).not.toBe(b);
    expect(parts(a).seq).toBe(parts(b).seq);
  });

  it('delivers nothing after close', async () => {
    const bus = new MemoryBus(7);
    const seen: string[] = [];
    bus.subscribe((m) => seen.push(m.id));
    await bus.close();
    await bus.publish(batch(1));
    expect(seen).toEqual([]);
  });
});
