import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './limiter';

describe('FailureLimiter', () => {
  it('locks a key after max failures within the window, until the oldest leaves it', () => {
    const limiter = new FailureLimiter(3, 1_000);
    for (const t of [0, 100, 200]) {
      expect(limiter.lockedFor('alice', t)).toBe(0);
      limiter.fail('alice', t);
    }
    expect(limiter.lockedFor('alice', 300)).toBe(700);
    expect(limiter.lockedFor('bob', 300)).toBe(0);
    expect(limiter.lockedFor('alice', 1_000)).toBe(0);
  });

  it('is cleared by a success, and stays bounded under a flood of keys', () => {
    const limiter = new FailureLimiter(2, 60_000, 100);
    limiter.fail('a', 0);
    limiter.fail('a', 1);
    limiter.clear('a');
    expect(limiter.lockedFor('a', 2)).toBe(0);
    for (let i = 0; i < 10_000; i++) limiter.fail(`k${i}`, 10);
    expect((limiter as unknown as { failures: Map<string, number[]> }).failures.size).toBe(100);
  });
});
