import { compileSelector, formatQuery, selectorsOf } from '@/lib/query';
import { querySchema } from '@/lib/schema/query';
import { QUERY_WORK_ADVICE, workProblem, type QueryLimits, type QueryProblem, type WorkLimit } from '@/lib/series';
import { acceptFilter } from './filter';
import { QUERY_PANELS_MAX, queryPanelId, type QueryPanelRef } from './query-panel-ref';
import type { PanelOptions } from './panel-options';
import { panelOptionsFrom } from './panel-options-read';
import { MIN_RANGE_MS, type TimeRange } from './view-query';
import { toTimeWindow, windowNote, type TimeWindow } from './windows';

export { MIN_RANGE_MS, viewQuery, type TimeRange } from './view-query';

/** What a dashboard link reproduces: the window, the paused range if any, and the metric filter. */
export interface View {
  window: TimeWindow;
  /** Why the link's `?window=` is not the window shown (beyond the history kept, malformed), or null. */
  windowNote: string | null;
  /** Set while paused: the charts show this range instead of following the newest data. */
  range: TimeRange | null;
  /** The filter as the link has it; empty when it was too long to repeat (see `filterProblem`). */
  filter: string;
  /** Why the link's filter is not applied (over QUERY_MAX_LENGTH, QUERY_MAX_TERMS or QUERY_MAX_WORK), or null. */
  filterProblem: QueryProblem | null;
  /** Panels defined by a query (`query=…`, repeatable), first on the page, each with why it is not drawn if so. */
  queries: QueryPanelRef[];
  /** How panels are drawn, by panel id (`p.<id>=stack,log` in the URL). */
  panels: Record<string, PanelOptions>;
  /** Lines switched off in panels' legends, by panel id (`h.<id>=<key>\n<key>`). */
  hidden: Record<string, string[]>;
  /** What of the link's panel options (or query panels) was ignored and why, or null. */
  panelNote: string | null;
}

type Params = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A `from`/`to` pair of whole milliseconds, at least a second apart, or null. */
export function toTimeRange(from: unknown, to: unknown): TimeRange | null {
  // linear: anchored, at most 15 digits.
  const f = typeof from === 'string' && /^\d{1,15}$/.test(from) ? Number(from) : NaN;
  const t = typeof to === 'string' && /^\d{1,15}$/.test(to) ? Number(to) : NaN;
  return Number.isSafeInteger(f) && Number.isSafeInteger(t) && t - f >= MIN_RANGE_MS ? { from: f, to: t } : null;
}

/**
 * The query panels a URL asks for (`query=`, in order, each once by its canonical form), at most
 * QUERY_PANELS_MAX: each read with the grammar of GET /api/query and its bounds (QUERY_MAX_TERMS;
 * QUERY_MAX_LENGTH, and with `work` QUERY_MAX_WORK over the keys held, shared by all of them).
 * One that fails is listed with why, not drawn.
 */
export function queryPanelsFrom(raw: string | string[] | undefined, limits: QueryLimits, work?: WorkLimit): { queries: QueryPanelRef[]; ignored: number } {
  const texts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((t) => t.trim()).filter((t) => t !== '');
  const schema = querySchema(limits);
  const queries: QueryPanelRef[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  // The query panels share one QUERY_MAX_LENGTH of text and one QUERY_MAX_WORK of matching.
  let chars = 0;
  let cost = 0;
  for (const text of texts) {
    if (queries.length >= QUERY_PANELS_MAX) {
      ignored++;
      continue;
    }
    const shown = text.length > limits.maxLength ? `${text.slice(0, 64)}…` : text;
    const parsed = schema.safeParse(text);
    // A query is named by its canonical form: `sum(x)` and `sum (x)` are one panel, with one id.
    const canonical = parsed.success ? formatQuery(parsed.data) : shown;
    const id = queryPanelId(canonical);
    if (seen.has(id)) continue;
    seen.add(id);
    if (!parsed.success) {
      queries.push({ id, text: shown, problem: parsed.error.issues[0]?.message ?? 'cannot be read' });
      continue;
    }
    chars += canonical.length;
    if (chars > limits.maxLength) {
      queries.push({ id, text: canonical.length > 64 ? `${canonical.slice(0, 64)}…` : canonical, problem: `query panels hold at most ${limits.maxLength} characters in all (QUERY_MAX_LENGTH): remove one` });
      continue;
    }
    cost += selectorsOf(parsed.data).reduce((c, sel) => c + compileSelector(sel).cost, 0);
    const tooCostly = work ? workProblem(cost, work, QUERY_WORK_ADVICE) : null;
    queries.push({ id, text: canonical, problem: tooCostly ? tooCostly.message.replace('this filter', 'the query panels up to this one') : null });
  }
  return { queries, ignored };
}

/**
 * The view a dashboard URL's query asks for; what is malformed falls back to the default. A filter
 * over `limits` (or costing more than `work` allows, see filterProblem) is not applied, and said
 * so, rather than cut short; so is a query panel (`queryWork`: over the keys held, as GET /api/query).
 */
export function parseView(params: Params, retentionMs: number, limits: QueryLimits, work?: WorkLimit, queryWork?: WorkLimit): View {
  const { shown, problem } = acceptFilter(first(params.q) ?? '', limits, work);
  const window = toTimeWindow(first(params.window), retentionMs);
  const { panels, hidden, note } = panelOptionsFrom(params);
  const { queries, ignored } = queryPanelsFrom(params.query, limits, queryWork);
  const queriesNote = ignored > 0 ? `At most ${QUERY_PANELS_MAX} query panels: ${ignored} more not shown.` : null;
  return {
    queries,
    panels,
    hidden,
    panelNote: [note, queriesNote].filter(Boolean).join(' ') || null,
    window,
    windowNote: windowNote(first(params.window), window),
    range: toTimeRange(first(params.from), first(params.to)),
    filter: shown,
    filterProblem: problem,
  };
}
