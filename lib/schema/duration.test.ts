import { describe, expect, it } from 'vitest';
import { durationSchema } from './duration';

describe('durationSchema', () => {
  it('parses every unit and a bare number of milliseconds', () => {
    const d = durationSchema();
    expect(['500ms', '15s', '5m', '1h', '2d', '250', '1.5s'].map((raw) => d.parse(raw))).toEqual([500, 15_000, 300_000, 3_600_000, 172_800_000, 250, 1_500]);
  });

  it('refuses what is not a duration, and what is out of range, saying what it got and what it expects', () => {
    const d = durationSchema({ min: 100, max: 3_600_000 });
    expect(d.safeParse('fast').error?.issues[0]?.message).toBe('got "fast"; expected a duration such as 500ms, 15s, 5m or 1h (between 100 ms and 3600000 ms)');
    expect(d.safeParse('2h').success).toBe(false);
    expect(d.safeParse('50ms').success).toBe(false);
    expect(durationSchema().safeParse('0s').error?.issues[0]?.message).toBe('got "0s"; expected a duration such as 500ms, 15s, 5m or 1h');
    expect(durationSchema({ min: 0 }).parse('0s')).toBe(0);
  });

  it('repeats at most 120 characters of a long value', () => {
    const message = durationSchema().safeParse('x'.repeat(10_000)).error?.issues[0]?.message ?? '';
    expect(message).toBe(`got "${'x'.repeat(120)}"… (9880 more characters); expected a duration such as 500ms, 15s, 5m or 1h`);
  });
});
