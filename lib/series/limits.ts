import { lengthProblem, queryProblem, type QueryLimits, type QueryProblem } from './query-problem';

export { lengthProblem, queryProblem, type QueryLimits, type QueryProblem };

/** What matching a filter may cost here: QUERY_MAX_WORK, and the texts it would be matched over. */
export interface WorkLimit {
  /** QUERY_MAX_WORK: the most matching steps one filter may cost over what is held. */
  maxWork: number;
  /** Characters (UTF-16 units) of every text the filter would be tried on: the keys held, for `series=`. */
  chars: number;
  /** Series held, for the message. */
  series: number;
}

/**
 * The problem with a filter costing `cost` steps per character (SeriesFilter.cost) over `limit`'s
 * texts when that is more than QUERY_MAX_WORK, or null: decided before any matching. `advice`
 * says what to change.
 */
export function workProblem(cost: number, limit: WorkLimit, advice: string): QueryProblem | null {
  const steps = cost * limit.chars;
  if (steps <= limit.maxWork) return null;
  const about = Number(steps.toPrecision(3));
  return {
    reason: 'too_costly',
    message: `this filter would cost about ${about} matching steps over the ${limit.series} series held, more than QUERY_MAX_WORK (${limit.maxWork}): ${advice}`,
  };
}

/** What to change in a query (GET /api/query, a query panel) refused by workProblem. */
export const QUERY_WORK_ADVICE = 'narrow the metric name (fewer * and ?) or use fewer =~ matchers';

/** What to change in a `series=` filter refused by workProblem. */
export const SERIES_WORK_ADVICE = 'use fewer globs, fewer or shorter ? pieces';

/** The globs of a `series=` query: comma-separated. */
export const seriesGlobs = (query: string): string[] => query.split(',');

/** What is wrong with a `series=` query (too long, too many globs), or null. */
export function seriesQueryProblem(query: string, limits: QueryLimits): QueryProblem | null {
  return queryProblem(query, seriesGlobs, limits, 'globs');
}
