import { describe, expect, it } from 'vitest';
import type { BusMessage } from '@/lib/bus';
import { ReplayLog } from './replay';

const msg = (id: string, n = 1): BusMessage => ({
  id,
  samples: Array.from({ length: n }, (_, i) => ({ series: `m{i="${i}"}`, t: i, v: i })),
});

describe('ReplayLog', () => {
  it('returns the messages after a cursor, in order', () => {
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 60_000 });
    for (let i = 1; i <= 5; i++) log.append(msg(`e-${i}`), []);
    const r = log.since('e-2', 'e-5');
    expect(r.kind === 'replay' && r.entries.map((e) => e.message.id)).toEqual(['e-3', 'e-4', 'e-5']);
    expect(log.since('e-5', 'e-5')).toEqual({ kind: 'replay', entries: [] });
  });

  it('forgets the oldest messages beyond its byte bound, keeping the newest', () => {
    const log = new ReplayLog({ maxBytes: 2_000, maxAgeMs: 60_000 });
    for (let i = 1; i <= 50; i++) log.append(msg(`e-${i}`, 5), []);
    expect(log.sizeBytes).toBeLessThanOrEqual(2_000);
    expect(log.since('e-1', 'e-50').kind).toBe('gone');
    const r = log.since('e-48', 'e-50');
    expect(r.kind === 'replay' && r.entries.map((e) => e.message.id)).toEqual(['e-49', 'e-50']);
  });

  it('forgets messages older than its age bound', () => {
    let now = 0;
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 1_000, now: () => now });
    log.append(msg('e-1'), []);
    now = 500;
    log.append(msg('e-2'), []);
    now = 1_200;
    log.append(msg('e-3'), []);
    expect(log.since('e-1', 'e-3').kind).toBe('gone');
    expect(log.since('e-2', 'e-3').kind).toBe('replay');
  });

  it('says gone for a cursor it never held (an earlier server run)', () => {
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 60_000 });
    log.append(msg('b-1'), []);
    expect(log.since('a-99', 'b-1')).toMatchObject({ kind: 'gone' });
  });

  it('stays correct across many appends and compactions', () => {
    const log = new ReplayLog({ maxBytes: 50_000, maxAgeMs: 60_000 });
    for (let i = 1; i <= 10_000; i++) log.append(msg(`e-${i}`), []);
    const r = log.since('e-9990', 'e-10000');
    expect(r.kind === 'replay' && r.entries.map((e) => e.message.id)).toEqual(Array.from({ length: 10 }, (_, i) => `e-${9991 + i}`));
  });
});
