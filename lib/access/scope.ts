import { compileSelector, formatQuery, matchersQuery, parseQuery, QueryError, type SelectorNode } from '@/lib/query';
import { parseSeriesKey, type SeriesFilter, type SeriesKey } from '@/lib/series';

/** Longest scope a user or token may have. */
export const SCOPE_MAX_LENGTH = 4096;

export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

/**
 * A scope as the query grammar reads it: label matchers (`team="payments"`, with or without
 * braces, several comma-separated, all must hold) or a whole selector (`http_*{team="payments"}`).
 * Throws ScopeError naming what is wrong.
 */
export function parseScope(text: string): SelectorNode {
  const trimmed = text.trim();
  if (trimmed === '') throw new ScopeError('is empty');
  if (trimmed.length > SCOPE_MAX_LENGTH) throw new ScopeError(`is longer than ${SCOPE_MAX_LENGTH} characters`);
  // Matchers alone (`team="x"`, `{team="x"}`) apply to every metric name.
  const brace = trimmed.indexOf('{');
  const eq = trimmed.search(/[=!]/);
  const query = trimmed.startsWith('{') || (eq !== -1 && (brace === -1 || eq < brace)) ? matchersQuery('*', trimmed) : trimmed;
  let node;
  try {
    node = parseQuery(query);
  } catch (err) {
    if (err instanceof QueryError) throw new ScopeError(`${JSON.stringify(text.slice(0, 120))} does not parse: ${err.message}`);
    throw err;
  }
  if (node.kind !== 'selector' || node.rate) throw new ScopeError(`${JSON.stringify(text.slice(0, 120))} is not a selector: write label matchers such as team="payments"`);
  return node;
}

// Keys whose verdict each scope remembers; past it the memory starts over (series come and go).
const VERDICTS_MAX = 200_000;

/**
 * A scope as a series filter (over keys): what a scoped user or token may see of anything, and
 * what a scoped write token may write. Its id is the selector's canonical text, so streams of one
 * scope (and one `series=`) share their encoded bytes.
 */
export function compileScope(text: string): SeriesFilter {
  const node = parseScope(text);
  const selector = compileSelector(node);
  const verdicts = new Map<SeriesKey, boolean>();
  return {
    id: `scope:${formatQuery(node)}`,
    cost: selector.cost,
    matches(key) {
      let verdict = verdicts.get(key);
      if (verdict === undefined) {
        try {
          const { name, labels } = parseSeriesKey(key);
          verdict = selector.matches(name, labels);
        } catch {
          verdict = false;
        }
        if (verdicts.size >= VERDICTS_MAX) verdicts.clear();
        verdicts.set(key, verdict);
      }
      return verdict;
    },
  };
}

/** A filter within a scope: both must match (null scope: the filter as it is). */
export function withinScope(filter: SeriesFilter, scope: SeriesFilter | null): SeriesFilter {
  if (!scope) return filter;
  if (filter.id === '*') return scope;
  return { id: `${scope.id}&${filter.id}`, cost: filter.cost + scope.cost, matches: (key) => scope.matches(key) && filter.matches(key) };
}
