import { describe, expect, it } from 'vitest';
import { formatTick } from '../common/format-time';
import { timeTicks } from './time-ticks';

describe('timeTicks', () => {
  it('puts at most six round-time ticks across a window', () => {
    const from = Date.UTC(2026, 0, 1, 12, 0, 7);
    expect(timeTicks(from, from + 300_000)).toEqual({
      ticks: [1, 2, 3, 4, 5].map((m) => Date.UTC(2026, 0, 1, 12, m)),
      step: 60_000,
    });
    expect(timeTicks(from, from + 3_600_000).step).toBe(600_000);
  });

  it('goes down to seconds for a zoomed range', () => {
    const from = Date.UTC(2026, 0, 1, 12, 0, 0, 300);
    const { ticks, step } = timeTicks(from, from + 8_000);
    expect(step).toBe(2_000);
    expect(ticks).toHaveLength(4);
  });
});

describe('formatTick', () => {
  it('drops the seconds when ticks are whole minutes apart (UTC before hydration)', () => {
    const t = Date.UTC(2026, 0, 1, 9, 5, 0);
    expect(formatTick(t, 60_000, false)).toBe('09:05');
    expect(formatTick(t + 30_000, 30_000, false)).toBe('09:05:30');
  });
});
