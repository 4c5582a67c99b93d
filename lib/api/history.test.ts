import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import type { Runtime } from '@/lib/runtime';
import { historySpan } from './history';

const MINUTE = 60_000;
const env = parseEnv({});
const holding = (oldest: number | undefined) => ({ oldest: () => oldest }) as unknown as NonNullable<Runtime['storage']>;

describe('historySpan', () => {
  const now = Date.UTC(2026, 11, 1, 14, 3);

  it('is the hot tier’s retention without a disk, or with nothing older on it', () => {
    expect(historySpan(env, null, now)).toBe(env.HISTORY_RETENTION);
    expect(historySpan(env, holding(undefined), now)).toBe(env.HISTORY_RETENTION);
  });

  it('does not grow for data that began just before an hour ended (blocks know the hour, not the minute)', () => {
    // Five minutes of data from 13:58, held in a block of the hour from 13:00.
    expect(historySpan(env, holding(Date.UTC(2026, 11, 1, 13)), now)).toBe(env.HISTORY_RETENTION);
  });

  it('grows with data surely older than the hot tier, up to the longest retention', () => {
    expect(historySpan(env, holding(now - 3 * 60 * MINUTE), now)).toBe(2 * 60 * MINUTE);
    expect(historySpan(env, holding(now - 10 * 365 * 1440 * MINUTE), now)).toBe(env.RETENTION_1H);
  });
});
