import type { QueryLimits, QueryProblem, WorkLimit } from '@/lib/series';
import { acceptFilter } from './filter';
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
  /** How panels are drawn, by panel id (`p.<id>=stack,log` in the URL). */
  panels: Record<string, PanelOptions>;
  /** Lines switched off in panels' legends, by panel id (`h.<id>=<key>\n<key>`). */
  hidden: Record<string, string[]>;
  /** What of the link's panel options was ignored and why, or null. */
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
 * The view a dashboard URL's query asks for; what is malformed falls back to the default. A filter
 * over `limits` (or costing more than `work` allows, see filterProblem) is not applied, and said
 * so, rather than cut short.
 */
export function parseView(params: Params, retentionMs: number, limits: QueryLimits, work?: WorkLimit): View {
  const { shown, problem } = acceptFilter(first(params.q) ?? '', limits, work);
  const window = toTimeWindow(first(params.window), retentionMs);
  const { panels, hidden, note } = panelOptionsFrom(params);
  return {
    panels,
    hidden,
    panelNote: note,
    window,
    windowNote: windowNote(first(params.window), window),
    range: toTimeRange(first(params.from), first(params.to)),
    filter: shown,
    filterProblem: problem,
  };
}
