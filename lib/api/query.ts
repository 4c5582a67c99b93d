import 'server-only';
import { HttpError, toIssues } from '@/lib/http';
import { compileSelector, evaluateQuery, formatQuery, selectorsOf, type QuerySeries } from '@/lib/query';
import type { DataView } from '@/lib/access';
import { querySchema } from '@/lib/schema/query';
import { QUERY_WORK_ADVICE, workProblem } from '@/lib/series';
import { diskHistory } from '@/lib/storage';
import type { Pair } from '@/lib/wire';
import { queryLimits, workLimit } from './limits';
import { historyQuerySchema } from './series';

/** Most lines one answer carries: a query whose result has more is cut, and says so. */
export const MAX_LINES = 1_000;

/** Most series a query over a window beyond HISTORY_RETENTION reads from disk (a read each). */
export const MAX_DISK_SERIES = 1_000;

/**
 * `GET /api/query?q=<query>&window=1h&points=300`: the lines a query gives over the window (see
 * lib/query/parse.ts for the grammar), each at most `points` points. Series are read from the
 * hot tier within HISTORY_RETENTION, from disk beyond it (as /api/series/<key> does); at most
 * SNAPSHOT_MAX_POINTS points are read in all (a share per series). Bad queries are refused 400
 * with where and why; matching costlier than QUERY_MAX_WORK over the keys held, before any match.
 */
export function queryLines(view: DataView, params: URLSearchParams): Response {
  const { env, store, storage } = view;
  const schema = historyQuerySchema.extend({ q: querySchema(queryLimits(env)) });
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid query', toIssues(parsed.error));
  const { q, window, points: maxPoints } = parsed.data;
  const selectors = selectorsOf(q).map(compileSelector);
  const cost = selectors.reduce((c, s) => c + s.cost, 0);
  const problem = workProblem(cost, workLimit(env, store), QUERY_WORK_ADVICE);
  if (problem) throw new HttpError(400, 'invalid query', [{ path: 'q', message: problem.message }]);

  const now = Date.now();
  const matched = store.list().filter(({ meta }) => selectors.some((s) => s.matches(meta.name, meta.labels)));
  // Each series gets an equal share of SNAPSHOT_MAX_POINTS, at most what the chart has pixels for.
  const share = Math.max(2, Math.min(maxPoints, Math.floor(env.SNAPSHOT_MAX_POINTS / Math.max(1, matched.length))));
  const fromDisk = storage && window > env.HISTORY_RETENTION;
  if (fromDisk && matched.length > MAX_DISK_SERIES) {
    throw new HttpError(400, 'invalid query', [
      { path: 'q', message: `matches ${matched.length} series; a window beyond HISTORY_RETENTION reads each from disk, at most ${MAX_DISK_SERIES}: narrow the query or the window` },
    ]);
  }
  const retention = { rawMs: env.RETENTION_RAW, m1Ms: env.RETENTION_1M };
  const series: QuerySeries[] = matched.map(({ meta }) => {
    const points: Pair[] = (fromDisk ? diskHistory(storage, meta.key, window, share, now, retention).points : store.history(meta.key, window, share)) ?? [];
    return { key: meta.key, name: meta.name, labels: meta.labels, counter: meta.type === 'counter', points };
  });
  // Aggregated lines at no more steps than a series' share: what is computed stays within SNAPSHOT_MAX_POINTS too.
  const stepMs = Math.max(1_000, Math.ceil(window / share));
  const lines = evaluateQuery(q, series, { from: now - window, to: now, stepMs });
  const body = {
    query: formatQuery(q),
    window,
    stepMs,
    series: matched.length,
    lines: lines.slice(0, MAX_LINES),
    ...(lines.length > MAX_LINES && { cut: `${lines.length} lines, the first ${MAX_LINES} shown: narrow the query or use topk` }),
  };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
}
