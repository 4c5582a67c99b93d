import { compileGlob, parseSeriesKey, queryProblem, type QueryLimits, type QueryProblem } from '@/lib/series';
import type { Panel } from './layout';

/*
 * No RegExp is built from the filter: each term is a glob (lib/series/glob.ts, linear in the text
 * and the term) tried on each text on its own. A RegExp over all texts joined let `q=******!`
 * stall the server for minutes.
 */

/** A text a filter is tried on, lower-cased once; a series key's labels are parsed when first asked for. */
interface Subject {
  text: string;
  labels: Array<[name: string, value: string]> | undefined;
}

type Term = (subject: Subject) => boolean;

/** The whitespace-separated terms of a filter, lower-cased. */
export function filterTerms(filter: string): string[] {
  // linear: one quantified class; the filter is capped at QUERY_MAX_LENGTH before it gets here.
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Label names and (unescaped) values of a series key; none for a name, a title or a malformed key. */
function labelsOf(subject: Subject): Array<[string, string]> {
  if (subject.labels === undefined) {
    try {
      subject.labels = subject.text.includes('{') ? Object.entries(parseSeriesKey(subject.text).labels) : [];
    } catch {
      subject.labels = [];
    }
  }
  return subject.labels;
}

function toTerm(term: string): Term {
  const eq = term.indexOf('=');
  if (eq <= 0) {
    const matches = compileGlob(`*${term}*`, { anyChar: false });
    return (s) => matches(s.text);
  }
  let value = term.slice(eq + 1);
  if (value.startsWith('"')) value = value.slice(1);
  if (value.endsWith('"')) value = value.slice(0, -1);
  const name = compileGlob(term.slice(0, eq), { anyChar: false });
  const matchesValue = compileGlob(value, { anyChar: false });
  return (s) => labelsOf(s).some(([k, v]) => name(k) && matchesValue(v));
}

/**
 * Compiles a metric filter: every whitespace-separated term (case-insensitive) must appear in one
 * of the texts (titles, metric names, series keys), `*` standing for any run of characters. A
 * `label=value` term matches a series with exactly that label value (`route=/api` finds
 * `route="/api"`); `*` is a wildcard there too (`route=/api*`, `*=500`). Linear in the texts
 * times the terms: call it only on a filter within the query limits (see `acceptFilter`).
 */
export function compileFilter(filter: string): (texts: readonly string[]) => boolean {
  const terms = filterTerms(filter).map(toTerm);
  if (terms.length === 0) return () => true;
  return (texts) => {
    const subjects = texts.map((text): Subject => ({ text: text.toLowerCase(), labels: undefined }));
    return terms.every((term) => subjects.some(term));
  };
}

/** Compiles a metric filter (see compileFilter) over panels: their titles, metric names and series keys. */
export function panelFilter(filter: string): (panel: Panel) => boolean {
  const matches = compileFilter(filter);
  return (panel) => matches([panel.title, ...panel.metrics, ...panel.lines.map((l) => l.key)]);
}

/** What is wrong with a dashboard filter (too long, too many terms), or null. */
export function filterProblem(filter: string, limits: QueryLimits): QueryProblem | null {
  return queryProblem(filter, filterTerms, limits, 'terms');
}

/** A filter from a URL: the text to show (not echoed when too long), the problem if any, and what to apply. */
export interface AcceptedFilter {
  shown: string;
  problem: QueryProblem | null;
  applied: string;
}

/** Checks a filter from a URL against the limits: over them, it is shown with the problem and not applied. */
export function acceptFilter(raw: string, limits: QueryLimits): AcceptedFilter {
  const problem = filterProblem(raw, limits);
  return { shown: problem?.reason === 'too_long' ? '' : raw, problem, applied: problem ? '' : raw };
}
