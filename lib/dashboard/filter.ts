import type { Panel } from './layout';

/**
 * Whether a panel matches a metric filter: every whitespace-separated term (case-insensitive)
 * must appear in its title, one of its metric names or one of its series keys. A `label=value`
 * term matches a series with exactly that label value (`route=/api` finds `route="/api"`); `*` is a
 * wildcard (`route=/api*`).
 */
export function matchesFilter(panel: Panel, filter: string): boolean {
  return matchesTerms([panel.title, ...panel.metrics, ...panel.lines.map((l) => l.key)], filter);
}

/** Whether every term of `filter` (as in matchesFilter) appears in one of `texts` (names, series keys). */
export function matchesTerms(texts: readonly string[], filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const haystack = texts.join('\n').toLowerCase();
  return terms.every((term) => toPattern(term).test(haystack));
}

function toPattern(term: string): RegExp {
  const eq = term.indexOf('=');
  const escape = (s: string, any: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, any);
  if (eq > 0) {
    const name = term.slice(0, eq);
    const value = term.slice(eq + 1).replace(/^"|"$/g, '');
    return new RegExp(`[{,]${escape(name, '\\w*')}="${escape(value, '[^"]*')}"`);
  }
  return new RegExp(escape(term, '[^\\n]*'));
}
