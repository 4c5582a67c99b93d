import 'server-only';
import { z } from 'zod';
import { SNAPSHOT_POINTS, matchesTerms, parseView, presetsWithin, type TimeWindow } from '@/lib/dashboard';
import { historyCsv } from '@/lib/export';
import { HttpError, toIssues } from '@/lib/http';
import { getRuntime } from '@/lib/runtime';
import { metricNameSchema } from '@/lib/schema';
import { compileSeriesFilter, type SeriesMeta } from '@/lib/series';
import type { Snapshot } from '@/lib/store';
import { parseDuration } from '@/lib/units';

/** A metric as the metric browser lists it: its series with their newest values. */
export interface MetricSummary {
  name: string;
  unit: SeriesMeta['unit'];
  type: SeriesMeta['type'];
  help?: string;
  series: Array<{ key: string; labels: Record<string, string>; t: number; v: number }>;
}

/** Every metric with a series matching `filter` (names and `label=value` terms), sorted by name. */
export function metricSummaries(filter: string): MetricSummary[] {
  const byName = new Map<string, MetricSummary>();
  for (const { meta, t, v } of getRuntime().store.list()) {
    if (!Number.isFinite(t)) continue;
    let metric = byName.get(meta.name);
    if (!metric) byName.set(meta.name, (metric = { name: meta.name, unit: meta.unit, type: meta.type, help: meta.help, series: [] }));
    metric.series.push({ key: meta.key, labels: meta.labels, t, v });
  }
  return [...byName.values()]
    .filter((m) => matchesTerms([m.name, ...m.series.map((s) => s.key)], filter))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** What the detail page of one metric shows: its series over the window asked for. */
export interface MetricDetail {
  name: string;
  window: TimeWindow;
  presets: TimeWindow[];
  snapshot: Snapshot;
}

/** Globs over series keys that match exactly the series of metric `name`. */
function seriesOf(name: string) {
  return compileSeriesFilter([name, `${name}{*`]);
}

/** The detail of metric `name` for `?window=`, or null when no such metric is held. */
export function metricDetail(name: string, params: Record<string, string | string[] | undefined>): MetricDetail | null {
  if (!metricNameSchema.safeParse(name).success) return null;
  const { env, store } = getRuntime();
  const { window } = parseView(params, env.HISTORY_RETENTION);
  const snapshot = store.snapshot(window.ms, SNAPSHOT_POINTS, seriesOf(name));
  if (snapshot.series.length === 0) return null;
  return { name, window, presets: presetsWithin(env.HISTORY_RETENTION), snapshot };
}

/** `GET /api/export` query: a metric name and how far back (the whole retention by default). */
export const exportQuerySchema = z.object({
  metric: metricNameSchema,
  window: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const ms = parseDuration(raw);
      if (!(ms > 0)) {
        ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(raw)}; expected a duration such as 30s, 15m or 1h` });
        return z.NEVER;
      }
      return ms;
    }),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

/** `GET /api/export?metric=<name>`: the raw history of every series of a metric, as a CSV download. */
export function metricCsv(params: URLSearchParams): Response {
  const parsed = exportQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid export query', toIssues(parsed.error));
  const { env, store } = getRuntime();
  const { metric, window = env.HISTORY_RETENTION } = parsed.data;
  const series = store
    .list(seriesOf(metric))
    .map(({ meta }) => ({ key: meta.key, points: store.history(meta.key, window, Infinity) ?? [] }))
    .sort((a, b) => a.key.localeCompare(b.key, 'en'));
  if (series.length === 0) throw new HttpError(404, `no metric ${JSON.stringify(metric)}; GET /api/series lists what is held`);
  return new Response(historyCsv(series), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${metric}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
