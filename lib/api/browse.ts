import 'server-only';
import { z } from 'zod';
import { toRate } from '@/lib/dashboard';
import { SNAPSHOT_POINTS, presetsWithin, toTimeWindow, type TimeWindow } from '@/lib/dashboard/windows';
import { acceptFilter, compileFilter, type AcceptedFilter } from '@/lib/dashboard/filter';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import { panelOptionsFrom } from '@/lib/dashboard/panel-options-read';
import { historyCsvStream } from '@/lib/export';
import { HttpError, clip, toIssues } from '@/lib/http';
import { compileSelector, matchersQuery, type SelectorNode } from '@/lib/query';
import type { DataView } from '@/lib/access';
import { durationSchema, metricNameSchema } from '@/lib/schema';
import { querySchema } from '@/lib/schema/query';
import { compileSeriesFilter, lengthProblem, parseSeriesKey, type QueryLimits, type SeriesMeta } from '@/lib/series';
import type { SeriesSummary } from '@/lib/store';
import type { Pair, Snapshot } from '@/lib/wire';
import { accountOf, type Account } from './dashboard';
import { historySpan, withDiskHistory } from './history';
import { limitedQuery, queryLimits, workLimit } from './limits';

/** A metric as the metric browser lists it: its series with their newest values. */
export interface MetricSummary {
  name: string;
  unit: SeriesMeta['unit'];
  type: SeriesMeta['type'];
  help?: string;
  series: Array<{ key: string; labels: Record<string, string>; t: number; v: number }>;
  /** A counter's per-second rate over its first series' last two points (the list shows rates, not running totals). */
  rate?: number;
}

/** The metric browser for `?q=`: the filter as accepted (see acceptFilter) and the metrics it finds. */
export interface MetricBrowser {
  filter: AcceptedFilter;
  metrics: MetricSummary[];
}

type SearchParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? v[0] : v) ?? '';

/**
 * The metric browser for `?q=`; a filter over QUERY_MAX_LENGTH or QUERY_MAX_TERMS, or one that
 * could cost more than QUERY_MAX_WORK over the names and keys held, is not applied.
 */
export function metricBrowser(view: DataView, params: SearchParams): MetricBrowser {
  const { env, store } = view;
  const held = metricsHeld(store, store.list());
  const chars = held.reduce((n, m) => m.series.reduce((k, s) => k + s.key.length, n + m.name.length), 0);
  const filter = acceptFilter(first(params.q), queryLimits(env), workLimit(env, store, chars));
  const matches = compileFilter(filter.applied);
  const metrics = held.filter((m) => matches([m.name, ...m.series.map((s) => s.key)])).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  for (const m of metrics) if (m.type === 'counter' && m.series[0]) m.rate = lastRate(store.newestPoints(m.series[0].key, 2));
  return { filter, metrics };
}

/** The per-second rate between a counter's last two points (a reset counts from zero), or undefined. */
function lastRate(points: readonly (readonly [number, number])[] | undefined): number | undefined {
  if (!points || points.length < 2) return undefined;
  return toRate(points.slice(-2) as [number, number][]).at(-1)?.[1];
}

/** The series with a point, by metric name: the texts the metric browser's filter is tried on. */
function metricsHeld(store: Pick<DataView['store'], 'metric'>, list: readonly SeriesSummary[]): MetricSummary[] {
  const byName = new Map<string, MetricSummary>();
  for (const { meta, t, v } of list) {
    if (!Number.isFinite(t)) continue;
    let metric = byName.get(meta.name);
    if (!metric) byName.set(meta.name, (metric = { name: meta.name, unit: meta.unit, type: meta.type, help: store.metric(meta.name)?.help, series: [] }));
    metric.series.push({ key: meta.key, labels: meta.labels, t, v });
  }
  return [...byName.values()];
}

/** What the detail page of one metric shows: its series over the window asked for. */
export interface MetricDetail {
  name: string;
  window: TimeWindow;
  presets: TimeWindow[];
  snapshot: Snapshot;
  /** How its panel is drawn (`p.metric:<name>=…`), and what of the link's options was ignored. */
  panels: Record<string, PanelOptions>;
  /** Lines switched off in its legend (`h.metric:<name>=…`). */
  hidden: Record<string, string[]>;
  panelNote: string | null;
  /** The oldest time the page may ask for (Range…). */
  oldestAt: number;
  /** The window a URL without `?window=` gets. */
  defaultWindow: string;
  /** `?match=`: label matchers of the query grammar narrowing the lines (`status="500", route=~"/api*"`), and why it is not applied if so. */
  match: { text: string; problem: string | null };
  /** Who is signed in, for the header's account and sign-out. */
  account: Account | null;
}

/**
 * The matchers of `?match=` for metric `name`, read as the selector `name{…}` with the query
 * grammar and its bounds (braces optional); null when there are none, or the problem.
 */
export function metricMatch(name: string, raw: string, limits: QueryLimits): { text: string; problem: string | null; selector: SelectorNode | null } {
  const text = raw.trim();
  if (text === '') return { text, problem: null, selector: null };
  const shown = text.length > limits.maxLength ? `${text.slice(0, 64)}…` : text;
  const parsed = querySchema(limits).safeParse(matchersQuery(name, text));
  if (!parsed.success) return { text: shown, problem: parsed.error.issues[0]?.message ?? 'cannot be read', selector: null };
  if (parsed.data.kind !== 'selector') return { text: shown, problem: 'expected label matchers such as status="500"', selector: null };
  return { text, problem: null, selector: parsed.data };
}

/** Globs over series keys that match exactly the series of metric `name`. */
function seriesOf(name: string) {
  return compileSeriesFilter([name, `${name}{*`]);
}

/** The detail of metric `name` for `?window=`, or null when no such metric is held. */
export function metricDetail(view: DataView, name: string, params: SearchParams): MetricDetail | null {
  const runtime = view;
  const { env, store } = runtime;
  if (name.length > env.QUERY_MAX_LENGTH || !metricNameSchema.safeParse(name).success) return null;
  const span = historySpan(env, runtime.storage);
  const presets = presetsWithin(span, env.HISTORY_RETENTION);
  const match = metricMatch(name, first(params.match), queryLimits(env));
  const selector = match.selector ? compileSelector(match.selector) : null;
  const choose = (series: readonly SeriesMeta[]) => new Set(series.filter((s) => s.name === name && (!selector || selector.matches(s.name, s.labels))).map((s) => s.key));
  const ofName = (key: string) => (key === name || key.startsWith(`${name}{`)) && view.visible(key) && (!selector || selector.matches(name, parseSeriesKey(key).labels));
  let window = toTimeWindow(first(params.window), Math.max(span, presets.at(-1)?.ms ?? span));
  const read = (w: TimeWindow) => {
    const hot = store.snapshot(Math.min(w.ms, env.HISTORY_RETENTION), SNAPSHOT_POINTS, { choose, maxTotal: env.SNAPSHOT_MAX_POINTS });
    // Over a window longer than the hot tier, a metric held only on disk (quiet since a restart) has a page too.
    return withDiskHistory(hot, runtime, w.ms, SNAPSHOT_POINTS, choose, ofName);
  };
  let snapshot = read(window);
  // A link without ?window= (a panel title's) to a metric quiet for longer than the default: its page over all that is kept.
  const longest = presets.at(-1);
  if (snapshot.series.length === 0 && params.window === undefined && runtime.storage && longest && longest.ms > window.ms) {
    window = longest;
    snapshot = read(window);
  }
  if (snapshot.series.length === 0) return null;
  const { panels, hidden, note } = panelOptionsFrom(params);
  return { name, window, presets, snapshot, panels, hidden, panelNote: note, oldestAt: snapshot.takenAt - window.ms, defaultWindow: toTimeWindow(undefined, span).label, match: { text: match.text, problem: match.problem }, account: accountOf(view) };
}

/** `GET /api/export` query: a metric name (within QUERY_MAX_LENGTH) and how far back (the whole retention by default). */
export const exportQuerySchema = (limits: QueryLimits) =>
  z.object({
    metric: limitedQuery((name) => lengthProblem(name, limits)).pipe(metricNameSchema),
    window: durationSchema().optional(),
  });
export type ExportQuery = z.infer<ReturnType<typeof exportQuerySchema>>;

/**
 * `GET /api/export?metric=<name>`: the raw history of every series of a metric, as a CSV download
 * streamed series by series (see historyCsvStream). An unknown metric is a 404, decided first.
 */
export function metricCsv(view: DataView, params: URLSearchParams): Response {
  const { env, store, storage } = view;
  const parsed = exportQuerySchema(queryLimits(env)).safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid export query', toIssues(parsed.error));
  const { metric, window = env.HISTORY_RETENTION } = parsed.data;
  // Raw points: from memory within its retention, else from disk (raw is kept for RETENTION_RAW).
  const fromDisk = storage && window > env.HISTORY_RETENTION ? storage : null;
  const pointsOf = (key: string): Pair[] => {
    if (!fromDisk) return store.history(key, window, Infinity) ?? [];
    const now = Date.now();
    const { t, v } = fromDisk.read(key, now - Math.min(window, env.RETENTION_RAW), now, 'raw');
    return t.map((ti, i) => [ti, v[i]!]);
  };
  const series = store
    .list(seriesOf(metric))
    .map(({ meta }) => ({ key: meta.key, points: () => pointsOf(meta.key) }))
    .sort((a, b) => a.key.localeCompare(b.key, 'en'));
  if (series.length === 0) throw new HttpError(404, `no metric ${clip(metric)}; GET /api/series lists what is held`);
  return new Response(historyCsvStream(series), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${metric}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
