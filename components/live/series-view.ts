import { toRate, type Panel } from '@/lib/dashboard';
import type { LiveSeries, LiveState } from './live-store';

const rates = new WeakMap<LiveSeries['points'], LiveSeries['points']>();

/** What a chart draws of a series: its values, or for a counter its per-second rate (cached per points array). */
export function shown(series: LiveSeries | undefined, rate: boolean | undefined): LiveSeries | undefined {
  if (!series || !rate) return series;
  let points = rates.get(series.points);
  if (!points) rates.set(series.points, (points = toRate(series.points)));
  return { meta: series.meta, points };
}

/** The series a panel's lines draw, in line order: a series' own points (a counter's rate); a histogram's or summary's computed lines are family-series.ts's. */
export function panelSeries(panel: Panel, get: (key: string) => LiveSeries | undefined): (LiveSeries | undefined)[] {
  return panel.lines.map((line) => (line.derive ? undefined : shown(get(line.key), panel.rate)));
}

/** The newest point time among the series (server time), or `fallback`. */
export function newestIn(state: LiveState, fallback: number): number {
  let newest = fallback;
  for (const s of state.series.values()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? newest);
  return newest;
}
