import 'server-only';
import { z } from 'zod';
import type { Env } from '@/lib/env';
import { HttpError } from '@/lib/http';
import { SERIES_WORK_ADVICE, workProblem, type QueryLimits, type QueryProblem, type SeriesFilter, type WorkLimit } from '@/lib/series';
import type { Store } from '@/lib/store';

/** The query caps of this server (QUERY_MAX_LENGTH, QUERY_MAX_TERMS), as the filters take them. */
export function queryLimits(env: Env): QueryLimits {
  return { maxLength: env.QUERY_MAX_LENGTH, maxTerms: env.QUERY_MAX_TERMS };
}

/** A query string parameter refused, naming the setting, when `problemOf` finds it over the caps. */
export function limitedQuery(problemOf: (text: string) => QueryProblem | null) {
  return z.string().check((ctx) => {
    const problem = problemOf(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem.message, input: ctx.value });
  });
}

/** QUERY_MAX_WORK over the texts a filter would be tried on: by default, every series key `store` holds. */
export function workLimit(env: Pick<Env, 'QUERY_MAX_WORK'>, store: Pick<Store, 'keyChars' | 'size'>, chars = store.keyChars): WorkLimit {
  return { maxWork: env.QUERY_MAX_WORK, chars, series: store.size };
}

/**
 * Refuses a `series=` filter, before any matching, when matching it over the keys held could cost
 * more than QUERY_MAX_WORK: 400 `error`, the issue on `series` naming the setting.
 */
export function admitSeriesFilter(filter: SeriesFilter, limit: WorkLimit, error: string): void {
  const problem = workProblem(filter.cost, limit, SERIES_WORK_ADVICE);
  if (problem) throw new HttpError(400, error, [{ path: 'series', message: problem.message }]);
}
