import 'server-only';
import { BusUnavailableError, type Batch } from '@/lib/bus';
import { HttpError, toIssues, type Issue } from '@/lib/http';
import type { Runtime } from '@/lib/runtime';
import { toSeriesKey, typeFromName, type Sample, type SeriesMeta } from '@/lib/series';
import { unitFromName } from '@/lib/units';
import { allowList, authorize } from './auth';
import { bodyFormat, readBody } from './body';
import { familyOf, parsePrometheusText, TextFormatError } from './prometheus';
import { ingestBodySchema, type IngestBody, type MetricMetadata } from './schema';

/** Why a request was refused, as counted in `/api/metrics`. */
export const REJECTION_REASONS: Record<number, string> = {
  400: 'malformed',
  401: 'unauthorized',
  403: 'forbidden',
  413: 'too_large',
  415: 'unsupported_media_type',
  422: 'invalid',
  429: 'series_cap',
  503: 'unavailable',
};

export interface IngestResult {
  accepted: number;
  /** Text-format samples whose value was NaN or ±Inf: the format allows them, a chart cannot draw them. */
  skipped: number;
  /**
   * Points checked here but not stored, only possible with several instances: a concurrent write
   * of the same series through another instance reached the shared stream first with newer points,
   * or took the last places under MAX_SERIES. `warning` says which.
   */
  dropped?: number;
  warning?: string;
}

interface Parsed {
  body: unknown;
  skipped: number;
  /** Where point i came from, for error paths: `points[i]` or `line N`. */
  where: (i: number) => string;
}

function parseJson(text: string): Parsed {
  if (text.trim() === '') throw new HttpError(400, 'empty body: send {"points":[...]}');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
  return { body, skipped: 0, where: (i) => `points[${i}]` };
}

function parseText(text: string): Parsed {
  if (text.trim() === '') throw new HttpError(400, 'empty body: send samples in the Prometheus text format');
  let exposition;
  try {
    exposition = parsePrometheusText(text);
  } catch (err) {
    if (err instanceof TextFormatError) throw new HttpError(400, `malformed Prometheus text: ${err.message}`, [{ path: `line ${err.line}`, message: err.message }]);
    throw err;
  }
  const { samples, families } = exposition;
  const finite = samples.filter((s) => Number.isFinite(s.value));
  const metadata: Record<string, MetricMetadata> = {};
  for (const s of finite) {
    const { family, role } = familyOf(s.name, s.labels, families);
    const f = families.get(family);
    if (!f) continue;
    const type = role === 'value' ? f.type : role === 'quantile' ? 'gauge' : 'counter';
    const unit = role === 'bucket' || role === 'count' ? 'none' : unitFromName(family);
    metadata[s.name] = { type: type === 'histogram' || type === 'summary' ? 'untyped' : type, unit, help: f.help };
  }
  return {
    body: {
      points: finite.map(({ name, labels, value, timestamp }) => ({ name, labels, value, timestamp })),
      metadata,
    },
    skipped: samples.length - finite.length,
    where: (i) => `line ${finite[i]?.line ?? '?'}`,
  };
}

/** Rewrites zod's `points.3.value` into `points[3].value`, or `line 12: value` for text bodies. */
function locate(issues: Issue[], where: (i: number) => string): Issue[] {
  return issues.map((issue) => {
    const m = /^points\[(\d+)\](.*)$/.exec(issue.path);
    if (!m) return issue;
    const origin = where(Number(m[1]));
    const rest = (m[2] ?? '').replace(/^\./, '');
    return { ...issue, path: origin.startsWith('line') ? `${origin}${rest ? `: ${rest}` : ''}` : issue.path };
  });
}

/** Turns a valid body into one bus batch, or throws naming every point that cannot be stored. */
function toBatch(body: IngestBody, where: (i: number) => string, rt: Runtime): Batch {
  const { env, store } = rt;
  const now = Date.now();
  const issues: Issue[] = [];
  const samples: Sample[] = [];
  const origin: number[] = [];
  const meta = new Map<string, SeriesMeta>();
  body.points.forEach((p, i) => {
    const t = p.timestamp ?? now;
    const path = where(i).startsWith('line') ? `${where(i)}: timestamp` : `${where(i)}.timestamp`;
    if (t > now + env.INGEST_MAX_FUTURE) {
      issues.push({ path, message: `${t} is more than ${env.INGEST_MAX_FUTURE} ms ahead of the server clock (INGEST_MAX_FUTURE)` });
    } else if (t < now - env.HISTORY_RETENTION) {
      issues.push({
        path,
        message: `${t} is older than the ${env.HISTORY_RETENTION} ms of history kept (HISTORY_RETENTION); timestamps are milliseconds since the epoch, not seconds`,
      });
    }
    const key = toSeriesKey(p.name, p.labels);
    samples.push({ series: key, t, v: p.value });
    origin.push(i);
    const given = body.metadata?.[p.name];
    if (!meta.has(key) && (given || !store.has(key))) {
      meta.set(key, {
        key,
        name: p.name,
        labels: { ...p.labels },
        unit: given?.unit ?? unitFromName(p.name),
        type: given?.type ?? typeFromName(p.name),
        ...(given?.help !== undefined && { help: given.help }),
      });
    }
  });
  // Points of one series may come in any order within a request; they are stored in time order.
  const order = samples.map((_, i) => i).sort((a, b) => (samples[a] as Sample).t - (samples[b] as Sample).t);
  const seen = new Set<string>();
  for (const i of order) {
    const s = samples[i] as Sample;
    if (seen.has(s.series)) continue;
    seen.add(s.series);
    const newest = store.newest(s.series);
    if (newest !== undefined && s.t < newest) {
      issues.push({ path: where(origin[i] as number), message: `older than the newest stored point of ${s.series} (${newest}); points of a series must arrive in time order` });
    }
  }
  if (issues.length > 0) throw new HttpError(422, `${issues.length} invalid point(s); nothing was stored`, issues);

  let fresh = 0;
  for (const key of seen) if (!store.has(key)) fresh++;
  if (fresh > 0 && store.size + fresh > store.maxSeries) {
    throw new HttpError(
      429,
      `series cap reached: ${store.size} of MAX_SERIES=${store.maxSeries} series are held and this request adds ${fresh} new one(s). Raise MAX_SERIES, or send fewer distinct label sets; nothing was stored`,
    );
  }
  return { samples: order.map((i) => samples[i] as Sample), meta: [...meta.values()] };
}

let cachedSchema: { env: Runtime['env']; schema: ReturnType<typeof ingestBodySchema> } | undefined;

/** The body schema for the configured limits, built once. */
function schemaFor(env: Runtime['env']): ReturnType<typeof ingestBodySchema> {
  if (cachedSchema?.env !== env) {
    const schema = ingestBodySchema({
      maxPoints: env.INGEST_MAX_POINTS,
      maxLabels: env.INGEST_MAX_LABELS,
      maxLabelValueLength: env.INGEST_MAX_LABEL_VALUE_LENGTH,
    });
    cachedSchema = { env, schema };
  }
  return cachedSchema.schema;
}

/** 413 for too many points, 400 when the body's shape is wrong, 422 when points are. */
function statusOf(issues: ReadonlyArray<{ path: PropertyKey[]; code: string }>): number {
  if (issues.some((i) => i.path.length === 1 && i.path[0] === 'points' && i.code === 'too_big')) return 413;
  if (issues.some((i) => i.path.length <= 1)) return 400;
  return 422;
}

/** Handles `POST /api/ingest`: authorise, read, parse, validate the whole request, publish it as one batch. */
export async function ingest(request: Request, rt: Runtime): Promise<IngestResult> {
  const { env } = rt;
  if (rt.stopping) throw new HttpError(503, 'shutting down: send to another instance', [], { 'Retry-After': '1' });
  authorize(request.headers, env.INGEST_TOKEN, allowList(env.INGEST_ALLOW_FROM), env.INGEST_ALLOW_FROM);
  const format = bodyFormat(request.headers.get('content-type'));
  const text = await readBody(request, env.INGEST_MAX_BODY_BYTES);
  const parsed = format === 'json' ? parseJson(text) : parseText(text);
  // Only NaN/±Inf samples: valid text, nothing to store, and said so.
  if (parsed.skipped > 0 && (parsed.body as { points: unknown[] }).points.length === 0) return { accepted: 0, skipped: parsed.skipped };
  const result = schemaFor(env).safeParse(parsed.body);
  if (!result.success) {
    const issues = locate(toIssues(result.error), parsed.where);
    const status = statusOf(result.error.issues);
    const message =
      status === 413 ? `more than ${env.INGEST_MAX_POINTS} points (INGEST_MAX_POINTS): split the request`
      : status === 400 ? 'body is not {"points":[...]}'
      : `${issues.length} invalid point(s); nothing was stored`;
    throw new HttpError(status, message, issues);
  }
  const batch = toBatch(result.data, parsed.where, rt);
  let cursor;
  try {
    cursor = await rt.publish(batch);
  } catch (err) {
    if (BusUnavailableError.is(err)) throw new HttpError(503, err.message, [], { 'Retry-After': '1' });
    throw err;
  }
  const refused = rt.refusedIn(cursor);
  if (!refused) return { accepted: batch.samples.length, skipped: parsed.skipped };
  const dropped = refused.outOfOrder + refused.seriesCap;
  const why = [
    refused.outOfOrder > 0 && `${refused.outOfOrder} older than points of the same series written meanwhile through another instance (a series must be written in time order)`,
    refused.seriesCap > 0 && `${refused.seriesCap} of new series over MAX_SERIES=${rt.store.maxSeries}`,
  ].filter(Boolean);
  return { accepted: batch.samples.length - dropped, skipped: parsed.skipped, dropped, warning: `${dropped} point(s) not stored: ${why.join('; ')}` };
}
