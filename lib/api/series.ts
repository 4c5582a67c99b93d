import 'server-only';
import { z } from 'zod';
import { HttpError, clip, toIssues } from '@/lib/http';
import type { DataView } from '@/lib/access';
import { diskHistory, type Engine } from '@/lib/storage';
import { compileSeriesFilter, matchInSlices, metaFromKey, seriesGlobs, seriesQueryProblem, type QueryLimits, type SeriesMeta } from '@/lib/series';
import { durationSchema } from '@/lib/schema';
import { admitSeriesFilter, limitedQuery, queryLimits, workLimit } from './limits';

/** `GET /api/series/<key>` query: a window within retention, and a point budget. */
export const historyQuerySchema = z.object({
  window: z.string().default('15m').pipe(durationSchema()),
  // Each check its own message: without one, a check repeats the schema's ("must be a number").
  points: z.coerce.number('must be a number').int('must be a whole number').min(1, 'at least 1 point').max(10_000, 'at most 10000 points').default(300),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** `GET /api/series` query: comma-separated globs within QUERY_MAX_LENGTH and QUERY_MAX_TERMS. */
const listQuerySchema = (limits: QueryLimits) => z.object({ series: limitedQuery((q) => seriesQueryProblem(q, limits)).optional() });

/** Lets the event loop run (a health check, a stream's flush) between slices of matching. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `GET /api/series`: every series with its unit, type and newest point, and each metric name's
 * unit, type and help. A filter that could cost
 * more than QUERY_MAX_WORK over the keys held is refused (400) before any matching; one allowed
 * is matched in slices over the series as they were when the request came.
 */
export async function listSeries(view: DataView, params: URLSearchParams): Promise<Response> {
  const { env, store } = view;
  const parsed = listQuerySchema(queryLimits(env)).safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid series query', toIssues(parsed.error));
  const filter = parsed.data.series ? compileSeriesFilter(seriesGlobs(parsed.data.series)) : undefined;
  if (filter) admitSeriesFilter(filter, workLimit(env, store), 'invalid series query');
  const held = store.list();
  const listed = filter ? await matchInSlices(held, (s) => s.meta.key, filter, pause) : held;
  const series = listed
    .filter((s) => Number.isFinite(s.t))
    .map(({ meta, t, v }) => ({ ...meta, latest: { t, v } }))
    .sort((a, b) => a.key.localeCompare(b.key));
  // Unit, type and help once per metric name: a HELP text is not repeated for each of its series.
  const metrics = [...new Set(series.map((x) => x.name))].sort().flatMap((name) => store.metric(name) ?? []);
  return Response.json({ series, metrics }, { headers: { 'Cache-Control': 'no-store' } });
}

/** What the key of a series held only on disk says of it, with its name's stored description. */
function diskMeta(key: string, storage: Engine): SeriesMeta {
  const meta = metaFromKey(key);
  const described = storage.storedMetric(meta.name);
  return described ? { ...meta, unit: described.unit, type: described.type } : meta;
}

/** `GET /api/series/<key>`: the series' history over `window`, at most `points` (min/max kept). */
export function seriesHistory(view: DataView, key: string, params: URLSearchParams): Response {
  const parsed = historyQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid history query', toIssues(parsed.error));
  const { store, storage, env } = view;
  // A series gone from the hot tier is still readable by key while the disk holds it (within the view's scope).
  const meta = store.meta(key) ?? (view.visible(key) && storage?.has(key) ? diskMeta(key, storage) : undefined);
  const { window, points: maxPoints } = parsed.data;
  // Within the hot tier's retention, from memory; beyond it, or when the ring let the window's
  // oldest points go (HISTORY_MAX_POINTS), from the tier the window and the pixels call for.
  const now = Date.now();
  const fromDisk =
    storage && (window > env.HISTORY_RETENTION || store.truncated(key, now - window))
      ? diskHistory(storage, key, window, maxPoints, now, { rawMs: env.RETENTION_RAW, m1Ms: env.RETENTION_1M })
      : undefined;
  const points = fromDisk?.points ?? store.history(key, window, maxPoints);
  if (!meta || !points) {
    throw new HttpError(404, `no series ${clip(key)}; GET /api/series lists them (keys are URL-encoded in the path)`);
  }
  return Response.json({ series: meta, metric: store.metric(meta.name) ?? storage?.storedMetric(meta.name), window, tier: fromDisk?.tier ?? 'memory', points }, { headers: { 'Cache-Control': 'no-store' } });
}
