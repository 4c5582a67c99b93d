import { describe, expect, it } from 'vitest';
import { lengthProblem, seriesQueryProblem } from './limits';

const LIMITS = { maxLength: 16, maxTerms: 3 };

describe('query limits', () => {
  it('names the setting a series= query is over, the length first', () => {
    expect(seriesQueryProblem('a_*,b_*,c_*', LIMITS)).toBeNull();
    expect(seriesQueryProblem('a,b,c,d', LIMITS)).toEqual({ reason: 'too_many', message: 'at most 3 globs (QUERY_MAX_TERMS)' });
    expect(seriesQueryProblem(','.repeat(17), LIMITS)).toEqual({ reason: 'too_long', message: 'at most 16 characters (QUERY_MAX_LENGTH)' });
    expect(lengthProblem('x'.repeat(16), LIMITS)).toBeNull();
  });
});
