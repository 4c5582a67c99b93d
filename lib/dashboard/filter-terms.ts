// Client-safe and small: what the dashboard needs of a filter before it matches anything (its
// terms, whether it is within the limits). The matching itself (filter.ts, with the glob engine)
// is loaded when a filter is first used.
import { queryProblem, type QueryLimits, type QueryProblem } from '@/lib/series/query-problem';

/** The whitespace-separated terms of a filter, lower-cased. */
export function filterTerms(filter: string): string[] {
  // linear: one quantified class; the filter is capped at QUERY_MAX_LENGTH before it gets here.
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

/** What is wrong with a filter's shape (too long, too many terms), or null: the check the browser makes as it is typed. */
export function filterShapeProblem(filter: string, limits: QueryLimits): QueryProblem | null {
  return queryProblem(filter, filterTerms, limits, 'terms');
}
