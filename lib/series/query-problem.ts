// Client-safe and small: whether a filter is within QUERY_MAX_LENGTH and QUERY_MAX_TERMS (the
// browser checks as it is typed; limits.ts has the rest, which only the server needs).

/** The most one filter may hold (QUERY_MAX_LENGTH characters, QUERY_MAX_TERMS terms or globs). */
export interface QueryLimits {
  maxLength: number;
  maxTerms: number;
}

/** Why a filter is not applied: the API's issue message, and what the pages show beside the filter. */
export interface QueryProblem {
  reason: 'too_long' | 'too_many' | 'too_costly';
  message: string;
}

/** The problem with a text over QUERY_MAX_LENGTH, or null. */
export function lengthProblem(text: string, limits: QueryLimits): QueryProblem | null {
  return text.length > limits.maxLength ? { reason: 'too_long', message: `at most ${limits.maxLength} characters (QUERY_MAX_LENGTH)` } : null;
}

/**
 * What is wrong with a filter against `limits`, or null. The length is checked first, so a huge
 * filter is refused without being split into `noun` by `split`.
 */
export function queryProblem(text: string, split: (text: string) => readonly string[], limits: QueryLimits, noun: string): QueryProblem | null {
  const tooLong = lengthProblem(text, limits);
  if (tooLong) return tooLong;
  if (split(text).length > limits.maxTerms) return { reason: 'too_many', message: `at most ${limits.maxTerms} ${noun} (QUERY_MAX_TERMS)` };
  return null;
}
