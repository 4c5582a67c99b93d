import { JS_STEP, compileGlob, parseSeriesKey, workProblem, type QueryLimits, type QueryProblem, type WorkLimit } from '@/lib/series';
import { filterShapeProblem, filterTerms } from './filter-terms';
import type { Panel } from './layout';
import { BUILTIN_PANELS } from './panels';

/*
 * No RegExp is built from the filter: each term is a glob (lib/series/glob.ts, linear in the text
 * and the term) tried on each text on its own. A RegExp over all texts joined let `q=******!`
 * stall the server for minutes.
 */

/** A text a filter is tried on, lower-cased once; a series key's labels are parsed when first asked for. */
interface Subject {
  raw: string;
  text: string;
  labels: Array<[name: string, value: string]> | undefined;
}

/** A compiled term, and at most how many steps it takes per character of a subject. */
interface Term {
  test: (subject: Subject) => boolean;
  cost: number;
  labels: boolean;
}

export { filterTerms };

/**
 * Label names and (unescaped) values of a series key, lower-cased; none for a name, a title or a
 * malformed key. Parsed before lower-casing: `{A="",a="x"}` holds two labels, not one twice.
 */
function labelsOf(subject: Subject): Array<[string, string]> {
  if (subject.labels === undefined) {
    try {
      subject.labels = subject.raw.includes('{')
        ? Object.entries(parseSeriesKey(subject.raw).labels).map(([k, v]): [string, string] => [k.toLowerCase(), v.toLowerCase()])
        : [];
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
    return { test: (s) => matches(s.text), cost: matches.cost, labels: false };
  }
  let value = term.slice(eq + 1);
  if (value.startsWith('"')) value = value.slice(1);
  if (value.endsWith('"')) value = value.slice(0, -1);
  const name = compileGlob(term.slice(0, eq), { anyChar: false });
  const matchesValue = compileGlob(value, { anyChar: false });
  // Label names and values together are no longer than the key they were parsed from.
  return { test: (s) => labelsOf(s).some(([k, v]) => name(k) && matchesValue(v)), cost: Math.max(name.cost, matchesValue.cost), labels: true };
}

/**
 * At most how many steps matching `filter` takes per character of the texts it is tried on: each
 * text lower-cased (a native step a character), a key's labels parsed once if a term asks for
 * them (a JS step a character) and lower-cased, and every term's globs (GlobMatcher.cost).
 */
export function filterCost(filter: string): number {
  const terms = filterTerms(filter).map(toTerm);
  if (terms.length === 0) return 0;
  // A label term is tried twice on a line's key: to pick its panel, then to keep the line (filterPanels).
  return 1 + (terms.some((t) => t.labels) ? JS_STEP + 1 : 0) + terms.reduce((n, t) => n + (t.labels ? 2 : 1) * t.cost, 0);
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
    const subjects = texts.map((raw): Subject => ({ raw, text: raw.toLowerCase(), labels: undefined }));
    return terms.every((term) => subjects.some(term.test));
  };
}

/** Compiles a metric filter (see compileFilter) over panels: their titles, metric names and series keys. */
export function panelFilter(filter: string): (panel: Panel) => boolean {
  const matches = compileFilter(filter);
  return (panel) => matches([panel.title, ...panel.metrics, ...panel.lines.map((l) => l.key)]);
}

/**
 * The panels a filter shows, each with the lines it shows: its `label=value` terms keep the lines
 * that match every one of them (`status=500` draws the 500 lines, not all twelve), and every other
 * word must then be found in the panel's title, metric names or the keys of the lines kept; a
 * panel left with no line is not shown. Words alone pick panels whole. The lines kept are all a
 * page rendered for the filter carries, and laid out again from them the same panels show.
 */
export function filterPanels(filter: string): (panels: readonly Panel[]) => Panel[] {
  const terms = filterTerms(filter).map(toTerm);
  if (terms.length === 0) return (panels) => [...panels];
  const labelTerms = terms.filter((t) => t.labels);
  const words = terms.filter((t) => !t.labels);
  const subject = (raw: string): Subject => ({ raw, text: raw.toLowerCase(), labels: undefined });
  return (panels) =>
    panels.flatMap((panel) => {
      const lines = panel.lines.map((line) => ({ line, subject: subject(line.key) }));
      const kept = labelTerms.length === 0 ? lines : lines.filter(({ subject: s }) => labelTerms.every((term) => term.test(s)));
      if (kept.length === 0) return [];
      const subjects = [...[panel.title, ...panel.metrics].map(subject), ...kept.map((l) => l.subject)];
      if (!words.every((term) => subjects.some(term.test))) return [];
      return [kept.length === lines.length ? panel : { ...panel, lines: kept.map(({ line }) => line) }];
    });
}

const BUILTIN_TEXT_CHARS = BUILTIN_PANELS.reduce((n, p) => n + p.title.length + p.metrics.reduce((m, name) => m + name.length, 0), 0);

/**
 * At most how many characters panelFilter is tried on over the panels laid out from `series`:
 * each key once, each metric name twice (its panel's title and metrics), the built-in panels'.
 */
export function panelTextChars(series: Iterable<{ key: string; name: string }>): number {
  const names = new Set<string>();
  let chars = BUILTIN_TEXT_CHARS;
  for (const { key, name } of series) {
    chars += key.length;
    if (names.has(name)) continue;
    names.add(name);
    chars += 2 * name.length;
  }
  return chars;
}

/** What to change in a filter refused by workProblem. */
const FILTER_WORK_ADVICE = 'use fewer terms';

/**
 * What is wrong with a dashboard filter (too long, too many terms), or null. With `work`, also
 * whether matching it over `work.chars` characters of texts could cost more than QUERY_MAX_WORK:
 * the server checks that before it matches (the metric browser, a dashboard link rendered).
 */
export function filterProblem(filter: string, limits: QueryLimits, work?: WorkLimit): QueryProblem | null {
  const problem = filterShapeProblem(filter, limits);
  if (problem || !work) return problem;
  return workProblem(filterCost(filter), work, FILTER_WORK_ADVICE);
}

/** A filter from a URL: the text to show (not echoed when too long), the problem if any, and what to apply. */
export interface AcceptedFilter {
  shown: string;
  problem: QueryProblem | null;
  applied: string;
}

/** Checks a filter from a URL against the limits (and `work`, see filterProblem): over them, it is shown with the problem and not applied. */
export function acceptFilter(raw: string, limits: QueryLimits, work?: WorkLimit): AcceptedFilter {
  const problem = filterProblem(raw, limits, work);
  return { shown: problem?.reason === 'too_long' ? '' : raw, problem, applied: problem ? '' : raw };
}
