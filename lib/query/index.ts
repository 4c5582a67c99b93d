// Client-safe (no zod): the query grammar (parse.ts) and its evaluation (evaluate.ts). The API
// checks parsed queries against lib/schema/query.ts.
export { compileSelector, formatQuery, matchersQuery, parseQuery, selectorsOf, QueryError, MAX_DEPTH, MAX_RANK } from './parse';
export type { AggregateNode, AggregateOp, CompiledSelector, Matcher, MatchOp, QueryNode, RankNode, RankOp, SelectorNode } from './parse';
export { evaluateQuery, groupKey, LOOKBACK_STEPS, MAX_STEPS, type EvaluateOptions, type QueryLine, type QuerySeries } from './evaluate';
