import { toRate } from '@/lib/dashboard';
import type { LiveSeries, LiveState } from './live-store';

const rates = new WeakMap<LiveSeries['points'], LiveSeries['points']>();

/** What a chart draws of a series: its values, or for a counter its per-second rate (cached per points array). */
export function shown(series: LiveSeries | undefined, rate: boolean | undefined): LiveSeries | undefined {
  if (!series || !rate) return series;
  let points = rates.get(series.points);
  if (!points) rates.set(series.points, (points = toRate(series.points)));
  return { meta: series.meta, points };
}

/** The newest point time among the series (server time), or `fallback`. */
export function newestIn(state: LiveState, fallback: number): number {
  let newest = fallback;
  for (const s of state.series.values()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? newest);
  return newest;
}
