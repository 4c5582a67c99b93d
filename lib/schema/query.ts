import { z } from 'zod';
import { MAX_RANK, parseQuery, QueryError, type QueryNode } from '@/lib/query';

/** Bounds of a query from outside: QUERY_MAX_LENGTH characters, QUERY_MAX_TERMS matchers and labels in all. */
export interface QuerySchemaLimits {
  maxLength: number;
  maxTerms: number;
}

const label = z.string().regex(/^[a-z_]\w*$/i, 'must match [a-zA-Z_][a-zA-Z0-9_]*');
const matcher = z.strictObject({ label, op: z.enum(['=', '!=', '=~', '!~']), value: z.string() });
const selector = z.strictObject({
  kind: z.literal('selector'),
  // linear: one character class, repeated.
  name: z.string().min(1).regex(/^[\w:*?]+$/, 'must be a metric name or a glob of one'),
  matchers: z.array(matcher),
  rate: z.boolean(),
});

/** A query's tree, as parseQuery makes it: the shape every surface that takes a query relies on. */
export const queryNodeSchema: z.ZodType<QueryNode, QueryNode> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    selector,
    z.strictObject({ kind: z.literal('aggregate'), op: z.enum(['sum', 'avg', 'min', 'max', 'count']), by: z.array(label), of: queryNodeSchema }),
    z.strictObject({ kind: z.literal('rank'), op: z.enum(['topk', 'bottomk']), n: z.number().int().min(1).max(MAX_RANK), by: z.enum(['mean', 'last']), of: queryNodeSchema }),
  ]),
);

/** Matchers and `by` labels of a query, in all. */
function termsOf(node: QueryNode): number {
  if (node.kind === 'selector') return node.matchers.length;
  return (node.kind === 'aggregate' ? node.by.length : 0) + termsOf(node.of);
}

/**
 * A query parameter: the text within QUERY_MAX_LENGTH, parsed (a QueryError becomes the issue's
 * message, naming where), its tree checked, its terms within QUERY_MAX_TERMS.
 */
export function querySchema(limits: QuerySchemaLimits) {
  return z
    .string('must be a query, such as sum by (mode) (cpu_seconds_total{mode!="idle"})')
    .max(limits.maxLength, `at most ${limits.maxLength} characters (QUERY_MAX_LENGTH)`)
    .transform((text, ctx): QueryNode => {
      try {
        return parseQuery(text);
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
        return z.NEVER;
      }
    })
    .pipe(queryNodeSchema)
    .refine((node) => termsOf(node) <= limits.maxTerms, `more than ${limits.maxTerms} matchers and labels (QUERY_MAX_TERMS)`);
}
