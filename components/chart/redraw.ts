/** Longest a live chart waits for its window to move a pixel before drawing new data. */
export const MAX_DEFER_MS = 2_000;

/** What a drawing of a chart depends on (LiveChartProps, by identity where not a number). */
export interface Drawing {
  panel: unknown;
  series: readonly unknown[];
  hidden: unknown;
  from: number;
  to: number;
  width: number;
  height?: number;
  hydrated: boolean;
  visible: boolean;
  options?: unknown;
}

/** Where the plot sits inside the chart, in pixels: the y-axis on the left, a margin on the right. */
export const PLOT_INSET = { left: 64, right: 12 } as const;

/**
 * How long drawing `next` may wait, `sinceMs` after `drawn` was drawn: until a live window has
 * moved a pixel of the plot since (a 1-hour window 600 px wide moves one every 6 s; Grafana ties
 * its refresh to the same), at most MAX_DEFER_MS. Counted from the drawing, not from the window's
 * end, which may stand still while data comes (a point stamped ahead of the clock holds it). 0 when
 * anything but the data and the window's place changed (or the window went back); null when
 * nothing did.
 */
export function deferral(drawn: Drawing, next: Drawing, sinceMs: number): number | null {
  if (drawn === next) return null;
  const plot = next.width - PLOT_INSET.left - PLOT_INSET.right;
  const span = next.to - next.from;
  const same =
    plot > 0 &&
    next.to >= drawn.to &&
    span === drawn.to - drawn.from &&
    (['panel', 'hidden', 'width', 'height', 'hydrated', 'visible', 'options'] as const).every((k) => drawn[k] === next[k]) &&
    drawn.series.length === next.series.length;
  return same ? Math.max(0, Math.min(MAX_DEFER_MS, span / plot) - sinceMs) : 0;
}
