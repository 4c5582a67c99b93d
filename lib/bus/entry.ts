import type { z } from 'zod';
import { clip } from '@/lib/http';
import { issuesOf, MAX_NUMBER_LENGTH, parseMillis, parseSampleValue, pointsToBatch, reasonOf, type PointIssue, type PointsInput } from '@/lib/points';
import { batchOriginSchema, pointSchemas, type Batch, type IngestBody, type PointLimits, type PointSchemas } from '@/lib/schema';
import { parseSeriesKey } from '@/lib/series';

/**
 * One Redis Stream entry's fields. Three forms are read (docs/redis.md documents them):
 * - `points` (and optional `metadata`): the JSON of `POST /api/ingest`'s `points` and `metadata`;
 *   the form for producers in any language.
 * - `name`, `value` (and optional `labels` as JSON, `timestamp`): one point, handy from redis-cli.
 * - `samples` (and optional `metrics`, `origin`): what Pulseboard instances write, series keys
 *   already canonical, metadata once per metric name; `origin: collector` marks a collector's
 *   batch. `meta` (metadata per series) is what earlier instances wrote; it is still read.
 * Any form may carry `source`, the writer's instance name. A point without a timestamp takes the
 * time of the entry's id. Every form passes the checks HTTP ingest makes (lib/schema, lib/points).
 */
export type EntryFields = Record<string, string>;

/** What Pulseboard writes for a batch. */
export function encodeEntry(batch: Batch, source: string): EntryFields {
  const fields: EntryFields = { samples: JSON.stringify(batch.samples), source };
  if (batch.metrics && batch.metrics.length > 0) fields.metrics = JSON.stringify(batch.metrics);
  if (batch.origin) fields.origin = batch.origin;
  return fields;
}

export type Decoded = { ok: true; batch: Batch } | { ok: false; reason: string };
type Refused = Extract<Decoded, { ok: false }>;

// Field names a reason lists of an entry of no known form.
const FIELDS_NAMED = 5;
// Series keys already read back and checked; bounded so a stream of ever-new keys cannot grow it.
const KNOWN_KEYS_MAX = 100_000;

/** A field's JSON, or the reason it is not JSON (V8's message quotes the input: clipped). */
function json(fields: EntryFields, field: string): { ok: true; value: unknown } | Refused {
  try {
    return { ok: true, value: JSON.parse(fields[field] as string) };
  } catch (err) {
    return { ok: false, reason: `${field}: malformed JSON: ${clip((err as Error).message)}` };
  }
}

const refuse = (issues: PointIssue[]): Refused => ({ ok: false, reason: reasonOf(issues) });

/** Reads entries of any form into batches, refusing (whole) any entry HTTP ingest would refuse. */
export class EntryDecoder {
  private readonly schemas: PointSchemas;
  /** Name and labels of keys whose every rule held (the limits never change): a 10,000-sample entry decodes about 3× faster. */
  private readonly known = new Map<string, IngestBody['points'][number]>();

  constructor(
    private readonly limits: PointLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.schemas = pointSchemas(limits);
  }

  decode(id: string, fields: EntryFields): Decoded {
    const idMs = Number(id.slice(0, id.indexOf('-')));
    try {
      if (fields.samples !== undefined) return this.samples(fields, idMs);
      if (fields.points !== undefined) {
        const points = json(fields, 'points');
        if (!points.ok) return points;
        const metadata = fields.metadata === undefined ? undefined : json(fields, 'metadata');
        if (metadata && !metadata.ok) return metadata;
        return this.points({ points: points.value, ...(metadata && { metadata: metadata.value }) }, idMs);
      }
      if (fields.name !== undefined && fields.value !== undefined) return this.single(fields, idMs);
      const names = Object.keys(fields);
      const listed = names.slice(0, FIELDS_NAMED).map((n) => clip(n, 40)).join(', ');
      return { ok: false, reason: `no "points", "samples" or "name"/"value" field (fields: ${listed || 'none'}${names.length > FIELDS_NAMED ? ', …' : ''})` };
    } catch (err) {
      // Nothing above should throw; if it does, the entry is skipped, never the reader stopped.
      return { ok: false, reason: clip(String(err)) };
    }
  }

  /** The `points` form, and the one the other producer form becomes. */
  private points(body: unknown, idMs: number): Decoded {
    const parsed = this.schemas.body.safeParse(body);
    if (!parsed.success) return refuse(issuesOf(parsed.error));
    const built = this.batch(parsed.data, idMs, 'points');
    return built.ok ? { ok: true, batch: built.batch } : built;
  }

  /** `name`, `value`, `labels`, `timestamp`: numbers are read as the text format writes them. */
  private single(fields: EntryFields, idMs: number): Decoded {
    const value = parseSampleValue(fields.value as string);
    if (value === undefined) return { ok: false, reason: `value: ${clip(fields.value as string, MAX_NUMBER_LENGTH)} is not a number` };
    const point: Record<string, unknown> = { name: fields.name, value };
    if (fields.labels !== undefined) {
      const labels = json(fields, 'labels');
      if (!labels.ok) return labels;
      point.labels = labels.value;
    }
    if (fields.timestamp !== undefined) {
      const timestamp = parseMillis(fields.timestamp);
      if (timestamp === undefined) return { ok: false, reason: `timestamp: ${clip(fields.timestamp, MAX_NUMBER_LENGTH)} is not a whole number of milliseconds` };
      point.timestamp = timestamp;
    }
    return this.points({ points: [point] }, idMs);
  }

  /** The `samples` form: each key is read back into its name and labels, checked as a point, and must come out the same. */
  private samples(fields: EntryFields, idMs: number): Decoded {
    const origin = fields.origin === undefined ? undefined : batchOriginSchema.safeParse(fields.origin);
    if (origin && !origin.success) return { ok: false, reason: `origin: ${clip(fields.origin as string, 40)} is not "collector" or "alerts"` };
    const raw = json(fields, 'samples');
    if (!raw.ok) return raw;
    const parsed = this.schemas.samples.safeParse(raw.value);
    if (!parsed.success) return refuse(issuesOf(parsed.error).map((i) => ({ ...i, path: ['samples', ...i.path] })));
    const points: IngestBody['points'] = [];
    const point = this.schemas.body.shape.points.element;
    for (const [i, s] of parsed.data.entries()) {
      let known = this.known.get(s.series);
      if (!known) {
        // The key is at most INGEST_MAX_SERIES_KEY_LENGTH characters (the schema) before it is parsed.
        let key;
        try {
          key = parseSeriesKey(s.series);
        } catch {
          return { ok: false, reason: `samples[${i}].series: ${clip(s.series)} is not a series key` };
        }
        const checked = point.safeParse({ name: key.name, labels: key.labels, value: 0 });
        if (!checked.success) return refuse(issuesOf(checked.error).map((issue) => ({ ...issue, path: ['samples', i, ...issue.path] })));
        known = checked.data;
      }
      points.push({ name: known.name, labels: known.labels, value: s.v, ...(s.t !== undefined && { timestamp: s.t }) });
    }
    const metrics = this.described(fields, 'metrics');
    if (metrics && !metrics.ok) return metrics;
    const meta = this.described(fields, 'meta');
    if (meta && !meta.ok) return meta;
    const decoded = this.batch({ points, ...(metrics && { metrics: metrics.value }), ...(meta && { meta: meta.value }) }, idMs, 'samples', origin?.success === true && origin.data === 'alerts');
    if (!decoded.ok) return decoded;
    // Canonical: the key the writer sent is the one its name and labels make (labels sorted, values escaped).
    const { samples } = decoded.batch;
    for (const [j, s] of samples.entries()) {
      const given = parsed.data[decoded.from[j] as number]?.series;
      if (given !== s.series) return { ok: false, reason: `samples[${decoded.from[j]}].series: ${clip(given ?? '')} is not a canonical series key (that is ${clip(s.series)})` };
    }
    for (const [j, p] of points.entries()) {
      if (this.known.size >= KNOWN_KEYS_MAX) this.known.clear();
      this.known.set((parsed.data[j] as { series: string }).series, { name: p.name, labels: p.labels, value: 0 });
    }
    if (origin?.success && origin.data === 'collector') {
      // A collector writes only its own instance's series: an entry that says `origin: collector`
      // may claim no series of another instance (or none at all), whatever else it says.
      const stranger = points.findIndex((p) => p.labels?.instance === undefined || p.labels.instance !== fields.source);
      if (stranger !== -1) {
        return { ok: false, reason: `samples[${stranger}]: a collector batch (origin "collector") may only write series with instance=${clip(fields.source ?? '', 64)} (its source)` };
      }
    }
    return { ok: true, batch: origin?.success ? { ...decoded.batch, origin: origin.data } : decoded.batch };
  }

  /** The `metrics` or (earlier writers') `meta` field checked, or undefined when the entry has none. */
  private described<F extends 'metrics' | 'meta'>(fields: EntryFields, field: F): { ok: true; value: z.infer<PointSchemas[F]> } | Refused | undefined {
    if (fields[field] === undefined) return undefined;
    const raw = json(fields, field);
    if (!raw.ok) return raw;
    const parsed = this.schemas[field].safeParse(raw.value);
    if (!parsed.success) return refuse(issuesOf(parsed.error).map((i) => ({ ...i, path: [field, ...i.path] })));
    return { ok: true, value: parsed.data as z.infer<PointSchemas[F]> };
  }

  /** pointsToBatch, its issues named after the entry's field (`samples[3]` rather than `points[3]`). */
  private batch(input: PointsInput, idMs: number, field: 'points' | 'samples', alerts = false): Refused | { ok: true; batch: Batch; from: number[] } {
    const built = pointsToBatch(input, { limits: this.limits, now: this.now(), defaultTime: idMs, alerts });
    if (built.ok) return built;
    return refuse(built.issues.map((i) => (i.path[0] === 'points' ? { ...i, path: [field, ...i.path.slice(1)] } : i)));
  }
}
