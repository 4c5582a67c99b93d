// Client-safe and small: a view's URL query, without the filter's matching (view.ts parses one).
import { HIDDEN_PARAM_PREFIX, PANEL_PARAM_PREFIX, formatPanelOptions, type PanelOptions } from './panel-options';
import type { TimeWindow } from './windows';

/** A paused, fixed time range (ms since epoch). */
export interface TimeRange {
  from: number;
  to: number;
}

/** Shortest range a drag may zoom to. */
export const MIN_RANGE_MS = 1_000;

/** The query string (with `?`, or empty) that reproduces a view (window, range, filter, query panels, panel options, lines switched off); the default window is left out. */
export function viewQuery(
  view: { window: TimeWindow; range: TimeRange | null; filter: string; queries?: readonly { text: string }[]; panels?: Readonly<Record<string, PanelOptions>>; hidden?: Readonly<Record<string, readonly string[]>> },
  defaultWindow: string,
): string {
  const params = new URLSearchParams();
  if (view.window.label !== defaultWindow) params.set('window', view.window.label);
  if (view.range) {
    params.set('from', String(Math.round(view.range.from)));
    params.set('to', String(Math.round(view.range.to)));
  }
  if (view.filter) params.set('q', view.filter);
  for (const query of view.queries ?? []) params.append('query', query.text);
  for (const id of Object.keys(view.panels ?? {}).sort()) {
    const value = formatPanelOptions(view.panels![id]!);
    if (value) params.set(`${PANEL_PARAM_PREFIX}${id}`, value);
  }
  for (const id of Object.keys(view.hidden ?? {}).sort()) {
    const keys = view.hidden![id]!;
    if (keys.length > 0) params.set(`${HIDDEN_PARAM_PREFIX}${id}`, keys.join('\n'));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}
