import 'server-only';
import type { z } from 'zod';
import { BusUnavailableError, type Batch, type Cursor } from '@/lib/bus';
import type { Env } from '@/lib/env';
import { addressMatcher, clip, HttpError } from '@/lib/http';
import { issuesOf, MAX_ISSUES, placeIssues, pointLimits, pointsToBatch, type PointIssue } from '@/lib/points';
import { plainPoint, pointSchemas, type IngestBody, type PointLimits, type PointSchemas } from '@/lib/schema';
import { identityOf, scopeOf, type Identity } from '@/lib/access';
import type { SeriesFilter } from '@/lib/series';
import { authorize } from './auth';
import { bodyFormat, readBody } from './body';
import { preflight, type StoreView } from './preflight';
import { textBody, type ParsedBody } from './text';
import type { SeriesCache } from './prometheus';

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

/** What ingest needs of the process: the runtime provides it, a test can fake it. */
export interface IngestDeps {
  readonly env: Env;
  readonly store: StoreView;
  /** The durable store, when DATA_DIR is on: a series' newest point may be there only (older than the hot tier). */
  readonly storage?: { newest(key: string): number | undefined } | null;
  /** True once shutdown has begun. */
  readonly stopping: boolean;
  publish(batch: Batch): Promise<Cursor>;
  /** Points of a published batch the store did not keep after all (several instances racing). */
  refusedIn(cursor: Cursor): { outOfOrder: number; seriesCap: number; reserved: number } | undefined;
}

function jsonBody(text: string): ParsedBody {
  if (text.trim() === '') throw new HttpError(400, 'empty body: send {"points":[...]}');
  try {
    return { body: JSON.parse(text), skipped: 0 };
  } catch (err) {
    // V8's message quotes the input it could not read.
    throw new HttpError(400, `malformed JSON: ${clip((err as Error).message)}`);
  }
}

/** 413 for too many points, 400 when the body's shape is wrong, 422 when points are. */
function statusOf(issues: readonly z.core.$ZodIssue[]): number {
  if (issues.some((i) => i.path.length === 1 && i.path[0] === 'points' && i.code === 'too_big')) return 413;
  // A custom issue one level down is an overlong metadata name: a bad point description, not a bad shape.
  if (issues.some((i) => i.path.length === 0 || (i.path.length === 1 && i.code !== 'custom'))) return 400;
  return 422;
}

/**
 * `n invalid point(s)` for the points the issues are about (a point may have several), saying
 * when only the first MAX_ISSUES issues are listed.
 */
function invalid(issues: ReadonlyArray<{ path: readonly PropertyKey[] }>): string {
  const points = new Set<PropertyKey>();
  let other = 0;
  for (const { path } of issues) {
    if (path[0] === 'points' && typeof path[1] === 'number') points.add(path[1]);
    else other++;
  }
  const what = [points.size > 0 && `${points.size} invalid point(s)`, other > 0 && `${other} other problem(s)`].filter(Boolean).join(' and ');
  return `${what}; nothing was stored${issues.length > MAX_ISSUES ? ` (the first ${MAX_ISSUES} of ${issues.length} problems are listed)` : ''}`;
}

// A body this large is read, checked and stored in turns, with the event loop free between them:
// parsing and checking 8,500 text samples took ~100 ms at once, stalling every other request.
const TURN_BYTES = 64 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// Points checked between two pauses of a large body.
const POINTS_PER_TURN = 2_000;

/**
 * Checks a parsed body against the point schemas, or throws the HttpError that says what is
 * wrong. A large body that holds together is checked a slice of points at a time, pausing
 * between; any refusal is found again over the whole body at once, so that it names every issue
 * as it always has.
 */
async function validate(parsed: ParsedBody, limits: PointLimits, pause?: () => Promise<void>): Promise<IngestBody> {
  const schemas = pointSchemas(limits);
  const plain = await plainBody(parsed.body, limits, schemas, pause);
  if (plain) return plain;
  const envelope = pause && schemas.envelope.safeParse(parsed.body);
  if (pause && envelope?.success && envelope.data.points.length > POINTS_PER_TURN) {
    const points: IngestBody['points'] = [];
    for (let i = 0; i < envelope.data.points.length; i += POINTS_PER_TURN) {
      await pause();
      const slice = schemas.pointList.safeParse(envelope.data.points.slice(i, i + POINTS_PER_TURN));
      if (!slice.success) break;
      for (const p of slice.data) points.push(p);
    }
    if (points.length === envelope.data.points.length) return { ...envelope.data, points };
  }
  const result = schemas.body.safeParse(parsed.body);
  if (result.success) return result.data;
  const status = statusOf(result.error.issues);
  const issues = placeIssues(issuesOf(result.error), parsed.lineOf);
  const message =
    status === 413 ? `more than ${limits.maxPoints} points (INGEST_MAX_POINTS): split the request`
    : status === 400 ? 'body is not {"points":[...]}'
    : invalid(result.error.issues);
  throw new HttpError(status, message, issues);
}

// Points checked by plainPoint between two pauses of a large body (about 0.3 µs each).
const PLAIN_POINTS_PER_TURN = 20_000;

/**
 * The body as it is, when its shape is plainly right and plainPoint vouches for every point (the
 * metadata, a few names, goes through its schema); null when anything is not, for the schemas to
 * accept or to name what is wrong.
 */
async function plainBody(body: unknown, limits: PointLimits, schemas: PointSchemas, pause?: () => Promise<void>): Promise<IngestBody | null> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  for (const k in body) if (k !== 'points' && k !== 'metadata') return null;
  const { points, metadata } = body as { points?: unknown; metadata?: unknown };
  if (!Array.isArray(points) || points.length === 0 || points.length > limits.maxPoints) return null;
  let described: IngestBody['metadata'];
  if (metadata !== undefined) {
    const checked = schemas.metadata.safeParse(metadata);
    if (!checked.success) return null;
    described = checked.data;
  }
  for (let i = 0; i < points.length; i++) {
    if (pause && i > 0 && i % PLAIN_POINTS_PER_TURN === 0) await pause();
    if (!plainPoint(points[i], limits)) return null;
  }
  return { points: points as IngestBody['points'], ...(described !== undefined && { metadata: described }) };
}

/** How far back a point may be: the longest any tier keeps (on disk), or the hot tier's with DATA_DIR=none. */
function keptFor(env: Env): { retentionMs: number; retentionSetting: string } {
  if (env.DATA_DIR === 'none') return { retentionMs: env.HISTORY_RETENTION, retentionSetting: 'HISTORY_RETENTION' };
  const tiers: Array<[string, number]> = [
    ['HISTORY_RETENTION', env.HISTORY_RETENTION],
    ['RETENTION_RAW', env.RETENTION_RAW],
    ['RETENTION_1M', env.RETENTION_1M],
    ['RETENTION_1H', env.RETENTION_1H],
  ];
  const [setting, ms] = tiers.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { retentionMs: ms, retentionSetting: setting };
}

/** The store's view with the durable store's newest points: a point older than either would be dropped. */
function withDisk(store: StoreView, storage: IngestDeps['storage']): StoreView {
  if (!storage) return store;
  return {
    has: (key) => store.has(key),
    newest: (key) => {
      const memory = store.newest(key);
      const disk = storage.newest(key);
      return memory === undefined ? disk : disk === undefined ? memory : Math.max(memory, disk);
    },
    reserved: (key) => store.reserved(key),
    get size() {
      return store.size;
    },
    get maxSeries() {
      return store.maxSeries;
    },
  };
}

/** Checked points as one batch the store can take, or throws the HttpError that says what is wrong. */
function toBatch(body: IngestBody, parsed: ParsedBody, limits: PointLimits, env: Env, store: StoreView, allowed?: (batch: Batch) => void): Batch {
  const place = (issues: PointIssue[]) => placeIssues(issues, parsed.lineOf);
  const now = Date.now();
  const built = pointsToBatch(body, { limits, now, defaultTime: now, ...keptFor(env) });
  if (!built.ok) throw new HttpError(422, invalid(built.issues), place(built.issues));
  allowed?.(built.batch);
  preflight(built.batch, built.from, store, place);
  return built.batch;
}

/** Refuses (403) a batch with any series outside a scoped writer's scope: nothing of it is stored. */
function withinWriteScope(batch: Batch, identity: Identity, scope: SeriesFilter): void {
  const outside = new Set<string>();
  for (const sample of batch.samples) if (!scope.matches(sample.series)) outside.add(sample.series);
  if (outside.size === 0) return;
  const first = [...outside].slice(0, 10).map((key) => ({ path: 'series', message: `${clip(key)} is outside the scope` }));
  throw new HttpError(403, `${identity.kind} ${JSON.stringify(identity.name)} may write only series matching ${identity.scope}; ${outside.size} series of this request are outside it; nothing was stored`, first);
}

/** A body's points and metadata as read, before they are checked: what a scrape rewrites (job, instance, its labels). */
export interface ReadPoints {
  points: Array<{ name: string; labels?: Record<string, string>; value: number; timestamp?: number }>;
  metadata?: Record<string, unknown>;
}

/**
 * Prometheus text read and checked exactly as `POST /api/ingest` does (the one validation path),
 * after `rewrite`, into one batch the bus can take; throws the HttpError that says what is wrong.
 * For scrape targets: `limits.maxPoints` is the target's sample limit.
 */
export async function textToBatch(
  text: string,
  { limits, env, store, storage, rewrite, cache }: { limits: PointLimits; env: Env; store: StoreView; storage?: IngestDeps['storage']; rewrite: (read: ReadPoints) => ReadPoints; cache?: SeriesCache },
): Promise<{ batch: Batch; skipped: number }> {
  const pause = text.length > TURN_BYTES ? nextTurn : undefined;
  const parsed = await textBody(text, limits, pause, cache);
  const read = parsed.body as ReadPoints;
  const body = rewrite(read);
  // Issues name the lines the points came from, while the rewrite kept every point in place.
  const rewritten: ParsedBody = { ...parsed, body, lineOf: body.points.length === read.points.length ? parsed.lineOf : undefined };
  if ((rewritten.body as ReadPoints).points.length === 0) return { batch: { samples: [] }, skipped: parsed.skipped };
  const checked = await validate(rewritten, limits, pause);
  await pause?.();
  return { batch: toBatch(checked, rewritten, limits, env, withDisk(store, storage)), skipped: parsed.skipped };
}

/** Handles `POST /api/ingest`: authorise, read, parse, validate the whole request, publish it as one batch. */
export async function ingest(request: Request, deps: IngestDeps): Promise<IngestResult> {
  const { env } = deps;
  if (deps.stopping) throw new HttpError(503, 'shutting down: send to another instance', [], { 'Retry-After': '1' });
  // A token or user the gate established with the write role may write (within its scope);
  // anyone else only as AUTH=none always allowed: INGEST_TOKEN, or a peer in INGEST_ALLOW_FROM.
  const identity = identityOf(request.headers);
  const writer = identity.kind !== 'anonymous' && identity.roles.includes('write');
  if (!writer) {
    // Under AUTH=password|proxy nothing is anonymous: the gate refuses such a request first.
    if (env.AUTH !== 'none') throw new HttpError(401, 'authentication required: send "Authorization: Bearer <token>" with a write token', [], { 'WWW-Authenticate': 'Bearer realm="pulseboard"' });
    authorize(request.headers, env.INGEST_TOKEN, addressMatcher(env.INGEST_ALLOW_FROM), env.INGEST_ALLOW_FROM);
  }
  const writeScope = writer ? scopeOf(identity, 'write') : null;
  const format = bodyFormat(request.headers.get('content-type'));
  const text = await readBody(request, env.INGEST_MAX_BODY_BYTES);
  const limits = pointLimits(env);
  const pause = text.length > TURN_BYTES ? nextTurn : undefined;
  const parsed = format === 'json' ? jsonBody(text) : await textBody(text, limits, pause);
  // Only NaN/±Inf samples: valid text, nothing to store, and said so.
  if (parsed.skipped > 0 && (parsed.body as { points: unknown[] }).points.length === 0) return { accepted: 0, skipped: parsed.skipped };
  const checked = await validate(parsed, limits, pause);
  // A scoped writer's metadata would describe a name other scopes share (last writer wins): ignored.
  const body = writeScope ? { points: checked.points } : checked;
  await pause?.();
  // From the store's checks to the publish in one turn: nothing written meanwhile is missed. A
  // scoped writer's series are checked against its scope first: the store's answers (the newest
  // point of a series) would tell it of series outside.
  const batch = toBatch(body, parsed, limits, env, withDisk(deps.store, deps.storage), writeScope ? (b) => withinWriteScope(b, identity, writeScope) : undefined);
  let cursor;
  try {
    cursor = await deps.publish(batch);
  } catch (err) {
    if (BusUnavailableError.is(err)) throw new HttpError(503, err.message, [], { 'Retry-After': '1' });
    throw err;
  }
  const refused = deps.refusedIn(cursor);
  if (!refused) return { accepted: batch.samples.length, skipped: parsed.skipped };
  const dropped = refused.outOfOrder + refused.seriesCap + refused.reserved;
  const why = [
    refused.outOfOrder > 0 && `${refused.outOfOrder} older than points of the same series written meanwhile through another instance (a series must be written in time order)`,
    refused.seriesCap > 0 && `${refused.seriesCap} of new series over MAX_SERIES=${deps.store.maxSeries}`,
    refused.reserved > 0 && `${refused.reserved} of series Pulseboard's own collector writes`,
  ].filter(Boolean);
  return { accepted: batch.samples.length - dropped, skipped: parsed.skipped, dropped, warning: `${dropped} point(s) not stored: ${why.join('; ')}` };
}
