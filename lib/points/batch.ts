import { clip } from '@/lib/http';
import type { Batch, IngestBody, MetricMeta, PointLimits, Sample, SeriesMeta } from '@/lib/schema';
import { toSeriesKey, typeFromName } from '@/lib/series';
import { unitFromName } from '@/lib/units';

/** One thing wrong with the input, at its zod-style path (`['points', 3, 'timestamp']`), for the caller to place. */
export interface PointIssue {
  path: PropertyKey[];
  message: string;
}

/** Points whose fields the point schemas (lib/schema) have checked. */
export interface PointsInput extends IngestBody {
  /** Metadata per metric name, as Pulseboard instances write it (the Redis `samples` form's `metrics`). */
  metrics?: MetricMeta[];
  /** Metadata per series key, as instances before per-name metadata wrote it (`meta`); read into `metrics`. */
  meta?: Array<SeriesMeta & { help?: string }>;
}

interface BatchOptions {
  limits: PointLimits;
  /** This server's clock, ms since the epoch. */
  now: number;
  /** The time of a point sent without one: the request's arrival, or the Redis entry id's. */
  defaultTime: number;
  /** Points older than this much history are refused (HTTP: most often seconds sent for milliseconds). */
  retentionMs?: number;
  /** The setting `retentionMs` comes from, named in the refusal. */
  retentionSetting?: string;
  /** Set for the alert evaluator's own batches (read back from Redis): they, and only they, write `ALERTS`. */
  alerts?: boolean;
}

/** The metric name of alert states: written by Pulseboard's alert evaluator alone (lib/alerts). */
export const RESERVED_ALERTS = 'ALERTS';

/** A batch, with `from[j]` the input point of `batch.samples[j]`; or every problem found. */
type BatchResult = { ok: true; batch: Batch; from: number[] } | { ok: false; issues: PointIssue[] };

/**
 * Turns checked points into one bus batch, the one way every producer's points become a batch
 * (HTTP JSON, Prometheus text, each form of Redis entry): canonical series keys no longer than
 * INGEST_MAX_SERIES_KEY_LENGTH, timestamps at most INGEST_MAX_FUTURE ahead, metadata once per
 * metric name (and only for names the points have), samples in time order. Refuses the whole
 * input, naming every point that cannot be stored.
 */
// Keys of frozen labels objects (a scrape target's series, the same object every scrape, see
// lib/scrape): each such object belongs to one series, so its key is built once.
const frozenKeys = new WeakMap<object, string>();
function keyOf(name: string, labels: Record<string, string> | undefined): string {
  if (!labels || !Object.isFrozen(labels)) return toSeriesKey(name, labels);
  let key = frozenKeys.get(labels);
  if (key === undefined) frozenKeys.set(labels, (key = toSeriesKey(name, labels)));
  return key;
}

export function pointsToBatch(input: PointsInput, options: BatchOptions): BatchResult {
  const { limits, now, defaultTime, retentionMs, retentionSetting = 'HISTORY_RETENTION' } = options;
  const issues: PointIssue[] = [];
  const samples: Sample[] = [];
  const metrics = new Map<string, MetricMeta>();
  input.points.forEach((p, i) => {
    const t = p.timestamp ?? defaultTime;
    if (t > now + limits.maxFutureMs) {
      issues.push({ path: ['points', i, 'timestamp'], message: `${t} is more than ${limits.maxFutureMs} ms ahead of the server clock (INGEST_MAX_FUTURE)` });
    } else if (retentionMs !== undefined && t < now - retentionMs) {
      issues.push({
        path: ['points', i, 'timestamp'],
        message: `${t} is older than the ${retentionMs} ms of history kept (${retentionSetting}); timestamps are milliseconds since the epoch, not seconds`,
      });
    }
    if ((p.name === RESERVED_ALERTS) !== (options.alerts === true)) {
      issues.push({
        path: ['points', i, 'name'],
        message: options.alerts ? `an alert evaluator's batch writes ${RESERVED_ALERTS} only` : `${RESERVED_ALERTS} is written by Pulseboard's alert evaluator (ALERTS_FILE); give the metric another name`,
      });
    }
    // Each part is bounded by now (name, label names and values, their count); their sum may still be too long.
    const key = keyOf(p.name, p.labels);
    if (key.length > limits.maxSeriesKeyLength) {
      issues.push({
        path: ['points', i],
        message: `series key ${clip(key, 80)} is longer than ${limits.maxSeriesKeyLength} characters (INGEST_MAX_SERIES_KEY_LENGTH): send fewer or shorter labels`,
      });
    }
    samples.push({ series: key, t, v: p.value });
    // Own properties only: a point named `constructor` has no metadata unless it was sent.
    const given = input.metadata && Object.hasOwn(input.metadata, p.name) ? input.metadata[p.name] : undefined;
    if (given && !metrics.has(p.name)) {
      metrics.set(p.name, {
        name: p.name,
        unit: given.unit ?? unitFromName(p.name),
        type: given.type ?? typeFromName(p.name),
        ...(given.help !== undefined && { help: given.help }),
      });
    }
  });
  input.meta?.forEach((m, j) => {
    // The key must be the one its name and labels make: then the name is the key's name too.
    if (toSeriesKey(m.name, m.labels) !== m.key) {
      issues.push({ path: ['meta', j, 'key'], message: `${clip(m.key)} is not the canonical key of ${clip(m.name)} with its labels` });
    } else {
      metrics.set(m.name, { name: m.name, unit: m.unit, type: m.type, ...(m.help !== undefined && { help: m.help }) });
    }
  });
  for (const m of input.metrics ?? []) metrics.set(m.name, m);
  if (issues.length > 0) return { ok: false, issues };
  // Metadata of a name none of the points have describes nothing stored: it is not kept.
  let described: MetricMeta[] = [];
  if (metrics.size > 0) {
    const named = new Set(input.points.map((p) => p.name));
    described = [...metrics.values()].filter((m) => named.has(m.name));
  }
  // Points of one series may come in any order within a request; they are stored in time order
  // (a stable sort: points of the same time keep the request's order). Most requests are in time
  // order already, and are kept as they are.
  let ordered = true;
  for (let i = 1; i < samples.length && ordered; i++) ordered = (samples[i - 1] as Sample).t <= (samples[i] as Sample).t;
  const from = samples.map((_, i) => i);
  if (ordered) return { ok: true, batch: described.length > 0 ? { samples, metrics: described } : { samples }, from };
  from.sort((a, b) => (samples[a] as Sample).t - (samples[b] as Sample).t);
  const sorted = from.map((i) => samples[i] as Sample);
  return { ok: true, batch: described.length > 0 ? { samples: sorted, metrics: described } : { samples: sorted }, from };
}
