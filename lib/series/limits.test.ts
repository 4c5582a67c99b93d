import { describe, expect, it } from 'vitest';
import { SERIES_WORK_ADVICE, lengthProblem, seriesQueryProblem, workProblem } from './limits';

const LIMITS = { maxLength: 16, maxTerms: 3 };

describe('query limits', () => {
  it('names the setting a series= query is over, the length first', () => {
    expect(seriesQueryProblem('a_*,b_*,c_*', LIMITS)).toBeNull();
    expect(seriesQueryProblem('a,b,c,d', LIMITS)).toEqual({ reason: 'too_many', message: 'at most 3 globs (QUERY_MAX_TERMS)' });
    expect(seriesQueryProblem(','.repeat(17), LIMITS)).toEqual({ reason: 'too_long', message: 'at most 16 characters (QUERY_MAX_LENGTH)' });
    expect(lengthProblem('x'.repeat(16), LIMITS)).toBeNull();
  });
});

describe('workProblem', () => {
  const limit = { maxWork: 1_000_000, chars: 10_000, series: 100 };

  it('refuses exactly when cost × characters is over QUERY_MAX_WORK', () => {
    expect(workProblem(100, limit, SERIES_WORK_ADVICE)).toBeNull(); // 1,000,000: at the limit
    expect(workProblem(100.0001, limit, SERIES_WORK_ADVICE)?.reason).toBe('too_costly');
    expect(workProblem(0, { ...limit, chars: 1e12 }, SERIES_WORK_ADVICE)).toBeNull();
  });

  it('says what it would cost, over how many series, and the setting', () => {
    expect(workProblem(128, { maxWork: 75_000_000, chars: 990_123, series: 9_900 }, SERIES_WORK_ADVICE)).toEqual({
      reason: 'too_costly',
      message: 'this filter would cost about 127000000 matching steps over the 9900 series held, more than QUERY_MAX_WORK (75000000): use fewer globs, fewer or shorter ? pieces',
    });
  });
});
