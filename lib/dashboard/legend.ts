import type { SeriesStats } from './stats';

/** What a legend is sorted by: a line's label, or one of its figures over the range shown. */
export type LegendSortKey = 'name' | 'now' | 'min' | 'max' | 'mean';
export interface LegendSort {
  by: LegendSortKey;
  desc: boolean;
  /** In the panel's own order (a histogram's p50, p90, p99, mean per label set), until a header is clicked. */
  laidOut?: boolean;
}

/** Lines a panel draws at most until told to draw all: the first of the legend's order. */
export const DRAWN_MAX = 10;

/**
 * By name for a few lines (in the panel's own order when it has one that means something, `laidOut`);
 * past DRAWN_MAX, by mean, highest first (the lines drawn are the top ones).
 */
export function defaultSort(lines: number, laidOut = false): LegendSort {
  if (lines > DRAWN_MAX) return { by: 'mean', desc: true };
  return laidOut ? { by: 'name', desc: false, laidOut } : { by: 'name', desc: false };
}

const collator = new Intl.Collator('en', { numeric: true });

/**
 * The legend's order of a panel's lines (indices into them): by label, or by a figure with lines
 * without one last, ties by label. The same order on the server and in the browser.
 */
export function legendOrder(labels: readonly string[], stats: readonly (SeriesStats | undefined)[], sort: LegendSort): number[] {
  const index = labels.map((_, i) => i);
  if (sort.laidOut) return index;
  if (sort.by === 'name') return index.sort((a, b) => (sort.desc ? -1 : 1) * collator.compare(labels[a]!, labels[b]!) || a - b);
  const by = sort.by;
  const figure = (i: number): number | undefined => {
    const s = stats[i];
    if (!s) return undefined;
    return by === 'now' ? s.last : by === 'min' ? s.min : by === 'max' ? s.max : s.mean;
  };
  return index.sort((a, b) => {
    const x = figure(a);
    const y = figure(b);
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || collator.compare(labels[a]!, labels[b]!);
    return (sort.desc ? y - x : x - y) || collator.compare(labels[a]!, labels[b]!) || a - b;
  });
}

/**
 * Keys of the lines not drawn: those switched off, and past DRAWN_MAX (unless `all`) those after
 * the first DRAWN_MAX of `order` that were not switched on one by one (`pinned`).
 */
export function undrawn(keys: readonly string[], order: readonly number[], hidden: ReadonlySet<string>, pinned: ReadonlySet<string>, all: boolean): Set<string> {
  const off = new Set(hidden);
  if (all || keys.length <= DRAWN_MAX) return off;
  order.forEach((i, rank) => {
    const key = keys[i]!;
    if (rank >= DRAWN_MAX && !pinned.has(key)) off.add(key);
  });
  return off;
}
