import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSeriesFilter } from './glob';
import { matchInSlices } from './slice';

const key = fc.array(fc.constantFrom('a', 'b', 'x', '0', '{', '"', '='), { minLength: 1, maxLength: 30 }).map((cs) => cs.join(''));
const glob = fc.array(fc.constantFrom('a', 'b', 'x', '0', '?', '*'), { maxLength: 8 }).map((cs) => cs.join(''));

describe('matchInSlices', () => {
  it('returns what one synchronous pass returns, in order, whatever the slice bounds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 60 }), fc.array(glob, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 20 }), async (keys, globs, steps, perSlice) => {
        const filter = compileSeriesFilter(globs);
        const sliced = await matchInSlices(keys, (k) => k, filter, () => Promise.resolve(), { steps, keys: perSlice });
        expect(sliced).toEqual(keys.filter((k) => filter.matches(k)));
      }),
      { numRuns: 500 },
    );
  });

  it('pauses after a bounded number of steps or keys, and not at all for a short list', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `m{i="${i}"}`);
    const filter = compileSeriesFilter(['*x?0*']);
    const pausesWith = async (options: { steps?: number; keys?: number }) => {
      let pauses = 0;
      await matchInSlices(keys, (k) => k, filter, async () => void pauses++, options);
      return pauses;
    };
    const chars = keys.reduce((n, k) => n + k.length, 0);
    expect(await pausesWith({ keys: 10 })).toBe(10);
    expect(await pausesWith({ steps: Math.ceil((filter.cost * chars) / 4) })).toBeGreaterThanOrEqual(3);
    expect(await pausesWith({})).toBe(0);
  });
});
