import 'server-only';
import { z } from 'zod';
import type { Env } from '@/lib/env';
import type { QueryLimits, QueryProblem } from '@/lib/series';

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
