import { describe, expect, it } from 'vitest';
import { RECENT, catchUp } from './shared-stream';
import type { StreamMessage } from './stream-source';

const points = (id: string): StreamMessage => ({ type: 'points', points: [{ series: 'm', t: 0, v: 1 }], id });
const series = (key: string): StreamMessage => ({ type: 'series', announcement: { metrics: [], series: [key] } });
const ids = (messages: readonly StreamMessage[]) => messages.map((m) => (m.type === 'points' ? m.id : m.type === 'series' ? `+${m.announcement.series[0]}` : m.type));

describe('catchUp: what a leading tab sends a tab that joins', () => {
  // The leader's stream opened from 0-9; what it relayed since, in order.
  const recent = [points('0-10'), series('a'), points('0-11'), points('0-12'), series('b'), series('c'), points('0-13')];

  it('sends everything after the newest cursor the tab has, with the announcements of the newer series', () => {
    expect(ids(catchUp(recent, '0-11', '0-9').messages)).toEqual(['0-12', '+b', '+c', '0-13']);
    expect(ids(catchUp(recent, '0-12', '0-9').messages)).toEqual(['+b', '+c', '0-13']);
    expect(catchUp(recent, '0-11', '0-9').gone).toBe(false);
  });

  it('sends all it relayed to a tab whose snapshot is from before the leader opened its stream, and nothing is gone at the opening cursor', () => {
    expect(catchUp(recent, '0-9', '0-9')).toEqual({ messages: recent, gone: false });
  });

  it('orders cursors by number, not as text (0-9 is older than 0-10, 1-0 newer than 0-99)', () => {
    const wide = [points('0-9'), points('0-10'), points('0-99'), points('1-0')];
    expect(ids(catchUp(wide, '0-9', null).messages)).toEqual(['0-10', '0-99', '1-0']);
    expect(ids(catchUp(wide, '0-99', null).messages)).toEqual(['1-0']);
  });

  it('sends nothing to a tab that is as new as the leader, or newer, or has no cursor', () => {
    expect(catchUp(recent, '0-13', '0-9').messages).toEqual([]);
    expect(catchUp(recent, '0-20', '0-9').messages).toEqual([]);
    expect(catchUp(recent, null, '0-9')).toEqual({ messages: [], gone: false });
  });

  it('says what the tab needs is gone when it is older than the leader’s stream', () => {
    expect(catchUp(recent, '0-5', '0-9').gone).toBe(true);
  });

  it('says it is gone when the leader holds RECENT messages and the tab is older than the oldest', () => {
    const full = Array.from({ length: RECENT }, (_, i) => points(`0-${100 + i}`));
    expect(catchUp(full, '0-50', '0-9').gone).toBe(true);
    expect(catchUp(full, '0-100', '0-9')).toEqual({ messages: full.slice(1), gone: false });
    // Not yet full: nothing was dropped, so what the stream opened from decides.
    expect(catchUp(full.slice(1), '0-50', '0-9').gone).toBe(false);
  });
});
