// Client-safe and small: how a panel is drawn, as its URL parameter says (`p.<panel id>=…`). The
// browser writes options (formatPanelOptions); reading a URL's is panel-options-read.ts's.
import type { Unit } from '@/lib/units/format';

/** A panel's display options; none set draws it as laid out. */
export interface PanelOptions {
  /** Lines stacked, each on the ones before it (in legend order). */
  stack?: boolean;
  /** Each line as its share of the shown lines' total at each time (0–100 %). */
  percent?: boolean;
  /** Logarithmic y-axis (values ≤ 0 are not drawn). */
  log?: boolean;
  /** Fixed y-axis bounds, in the metric's own unit (bytes, seconds, a ratio 0–1). */
  min?: number;
  max?: number;
  /** The unit the values are shown in, instead of the one the name implies. */
  unit?: Unit;
  /** Whole-number axis steps. */
  integer?: boolean;
  /** A histogram's bucket heatmap instead of its quantile lines. */
  heatmap?: boolean;
}

/** URL parameters of panel options: `p.` then the panel's id (`p.memory`, `p.metric:jobs_queued`). */
export const PANEL_PARAM_PREFIX = 'p.';
/** URL parameters of the lines a reader switched off in a panel's legend: `h.` then the panel's id, the lines' keys one per line. */
export const HIDDEN_PARAM_PREFIX = 'h.';
/** The most lines one panel's URL keeps switched off, and the longest key kept. */
export const MAX_HIDDEN_LINES = 50;
export const MAX_HIDDEN_KEY_CHARS = 1_024;
/** The most panels one URL sets options for; the rest are ignored and said so. */
export const MAX_PANEL_PARAMS = 100;
/** The longest options value read (`stack,log,min:0,max:100,unit:bytes` is 35). */
export const MAX_PANEL_OPTIONS_CHARS = 200;

/** The URL's word for each on/off option. */
export const FLAGS = { stack: 'stack', percent: 'percent', log: 'log', integer: 'int', heatmap: 'heatmap' } as const;

/** The URL value of options (empty when none is set): the inverse of parsePanelOptions. */
export function formatPanelOptions(options: PanelOptions): string {
  const parts: string[] = [];
  for (const [key, word] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) if (options[key]) parts.push(word);
  if (options.min !== undefined) parts.push(`min:${options.min}`);
  if (options.max !== undefined) parts.push(`max:${options.max}`);
  if (options.unit) parts.push(`unit:${options.unit}`);
  return parts.join(',');
}
