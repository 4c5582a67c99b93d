import { describe, expect, it } from 'vitest';
import type { BusMessage } from '@/lib/bus';
import { ReplayLog } from './replay';
import { NONE } from './testing';

/** Ids of the messages after `cursor`, read by position, or 'gone'. */
function idsAfter(log: ReplayLog, cursor: string, latest: string): string[] | 'gone' {
  const start = log.start(cursor, latest);
  if (start.kind === 'gone') return 'gone';
  const ids: string[] = [];
  for (let p = start.position; p < log.end; p++) ids.push(log.at(p)?.message.id ?? 'evicted');
  return ids;
}

const msg = (id: string, n = 1): BusMessage => ({
  id,
  samples: Array.from({ length: n }, (_, i) => ({ series: `m{i="${i}"}`, t: i, v: i })),
});

describe('ReplayLog', () => {
  it('returns the messages after a cursor, in order', () => {
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 60_000 });
    for (let i = 1; i <= 5; i++) log.append(msg(`e-${i}`), NONE, 100);
    expect(idsAfter(log, 'e-2', 'e-5')).toEqual(['e-3', 'e-4', 'e-5']);
    expect(idsAfter(log, 'e-5', 'e-5')).toEqual([]);
  });

  it('forgets the oldest messages beyond its byte bound, keeping the newest', () => {
    const log = new ReplayLog({ maxBytes: 2_000, maxAgeMs: 60_000 });
    for (let i = 1; i <= 50; i++) log.append(msg(`e-${i}`, 5), NONE, 100);
    expect(log.sizeBytes).toBeLessThanOrEqual(2_000);
    expect(idsAfter(log, 'e-1', 'e-50')).toBe('gone');
    expect(idsAfter(log, 'e-48', 'e-50')).toEqual(['e-49', 'e-50']);
  });

  it('forgets messages older than its age bound', () => {
    let now = 0;
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 1_000, now: () => now });
    log.append(msg('e-1'), NONE, 100);
    now = 500;
    log.append(msg('e-2'), NONE, 100);
    now = 1_200;
    log.append(msg('e-3'), NONE, 100);
    expect(idsAfter(log, 'e-1', 'e-3')).toBe('gone');
    expect(idsAfter(log, 'e-2', 'e-3')).toEqual(['e-3']);
  });

  it('says gone for a cursor it never held (an earlier server run)', () => {
    const log = new ReplayLog({ maxBytes: 1 << 20, maxAgeMs: 60_000 });
    log.append(msg('b-1'), NONE, 100);
    expect(log.start('a-99', 'b-1')).toMatchObject({ kind: 'gone' });
  });

  it('stays correct across many appends and compactions', () => {
    const log = new ReplayLog({ maxBytes: 50_000, maxAgeMs: 60_000 });
    for (let i = 1; i <= 10_000; i++) log.append(msg(`e-${i}`), NONE, 100);
    expect(idsAfter(log, 'e-9990', 'e-10000')).toEqual(Array.from({ length: 10 }, (_, i) => `e-${9991 + i}`));
  });

  it('keeps positions fixed across evictions and compactions: a held position reads its message or, once evicted, nothing', () => {
    const log = new ReplayLog({ maxBytes: 20_000, maxAgeMs: 60_000 });
    log.append(msg('e-1'), NONE, 100);
    const start = log.start('e-1', 'e-1');
    expect(start).toEqual({ kind: 'from', position: 1 });
    log.append(msg('e-2'), NONE, 100);
    const held = 1;
    expect(log.at(held)?.message.id).toBe('e-2');
    for (let i = 3; i <= 5_000; i++) log.append(msg(`e-${i}`), NONE, 100);
    expect(log.first).toBeGreaterThan(held);
    expect(log.at(held)).toBeUndefined();
    expect(log.at(log.end - 1)?.message.id).toBe('e-5000');
    expect(log.at(log.first)?.message.id).toBe(`e-${log.first + 1}`);
    expect(log.at(log.end)).toBeUndefined();
  });
});
