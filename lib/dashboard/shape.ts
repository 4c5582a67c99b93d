// Client-safe: a chart's rows reshaped by its panel options (stacked, percent of total, log).

/** One time of a chart: `t`, and per line `s<i>` (what is drawn) and `o<i>` (the value itself, for the tooltip). */
export type ChartRow = { t: number } & Record<string, number>;

export interface ShapeOptions {
  stack?: boolean;
  percent?: boolean;
  log?: boolean;
}

/**
 * Rows as the options draw them, over the lines `shown` (indices, in stacking order): with
 * `percent`, each line's share (0–1) of the shown lines' total at that time; with `stack`, each
 * line on top of the ones before it (a line with no point at a time counts with its last value,
 * so lines sampled at different times stack without teeth); with `log`, values ≤ 0 are left out
 * (a log axis cannot place them). The value itself stays in `o<i>`. New rows; the input is untouched.
 */
export function shapeRows(rows: readonly ChartRow[], shown: readonly number[], options: ShapeOptions): ChartRow[] {
  if (!options.stack && !options.percent && !options.log) return rows as ChartRow[];
  const last = new Map<number, number>();
  return rows.map((row) => {
    const out = { t: row.t } as ChartRow;
    let total = 0;
    for (const i of shown) {
      const v = row[`s${i}`];
      if (v !== undefined) last.set(i, v);
      if (options.percent || options.stack) total += Math.max(0, last.get(i) ?? 0);
    }
    let below = 0;
    for (const i of shown) {
      const own = row[`s${i}`];
      const v = own ?? last.get(i);
      if (v === undefined) continue;
      let drawn = options.percent ? (total > 0 ? Math.max(0, v) / total : 0) : v;
      if (options.stack) {
        below += drawn;
        drawn = below;
      }
      // Only where the line has a point of its own: carried values fill the stack, not the line.
      if (own === undefined) continue;
      if (options.log && !(drawn > 0)) continue;
      out[`s${i}`] = drawn;
      out[`o${i}`] = own;
    }
    return out;
  });
}

/** Ticks of a log axis over [lo, hi] (both > 0): each power of ten, with 2 and 5 between when there are few. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [1, 10];
  const first = Math.floor(Math.log10(lo));
  const last = Math.max(first + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  for (let e = first; e <= last && ticks.length < 40; e++) {
    const p = 10 ** e;
    ticks.push(p);
    if (last - first <= 2 && e < last) ticks.push(2 * p, 5 * p);
  }
  return ticks.map((t) => Number(t.toPrecision(12)));
}
