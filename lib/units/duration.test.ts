import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads a number with an optional unit, spaces allowed around them', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration(' 1.5 m ')).toBe(90_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('5 x')).toBeNaN();
    expect(parseDuration('')).toBeNaN();
  });

  it('refuses a long run of spaces before a bad unit at once, not after quadratic backtracking', () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(parseDuration(`1${' '.repeat(16_000)}x`)).toBeNaN();
    // The backtracking pattern took ~0.3 s for each of these.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
