import { z } from 'zod';
import { ingestBodySchema, type IngestLimits } from '@/lib/ingest/schema';
import { seriesMetaSchema } from '@/lib/schema';
import { parseSeriesKey, toSeriesKey, typeFromName, type Sample, type SeriesMeta } from '@/lib/series';
import { unitFromName } from '@/lib/units';
import type { Batch } from './types';

/**
 * One Redis Stream entry's fields. Three forms are read (docs/redis.md documents them):
 * - `points` (and optional `metadata`): the JSON of `POST /api/ingest`'s `points` and `metadata`;
 *   the form for producers in any language.
 * - `name`, `value` (and optional `labels` as JSON, `timestamp`): one point, handy from redis-cli.
 * - `samples` (and optional `meta`): what Pulseboard instances write, series keys already canonical.
 * Any form may carry `source`, the writer's instance name. A point without a timestamp takes the
 * time of the entry's id.
 */
export type EntryFields = Record<string, string>;

/** What Pulseboard writes for a batch. */
export function encodeEntry(batch: Batch, source: string): EntryFields {
  const fields: EntryFields = { samples: JSON.stringify(batch.samples), source };
  if (batch.meta && batch.meta.length > 0) fields.meta = JSON.stringify(batch.meta);
  return fields;
}

export type Decoded = { ok: true; batch: Batch } | { ok: false; reason: string };

const sampleSchema = z.strictObject({
  series: z.string().min(1).max(16_384),
  t: z.number().int().positive().optional(),
  v: z.number(),
});
const samplesSchema = z.array(sampleSchema).min(1);
const metaListSchema = z.array(seriesMetaSchema);

// Keys already checked to be canonical; bounded so a stream of ever-new keys cannot grow it.
const CANONICAL_CACHE_MAX = 100_000;

/** Reads entries of any form into batches, checking them as strictly as HTTP ingest does. */
export class EntryDecoder {
  private readonly canonical = new Set<string>();
  private readonly body: ReturnType<typeof ingestBodySchema>;

  constructor(limits: IngestLimits) {
    this.body = ingestBodySchema(limits);
  }

  decode(id: string, fields: EntryFields): Decoded {
    const idMs = Number(id.slice(0, id.indexOf('-')));
    try {
      if (fields.samples !== undefined) return this.samples(fields, idMs);
      if (fields.points !== undefined) return this.points(JSON.parse(fields.points), fields.metadata, idMs);
      if (fields.name !== undefined && fields.value !== undefined) {
        const point: Record<string, unknown> = { name: fields.name, value: Number(fields.value) };
        if (fields.labels !== undefined) point.labels = JSON.parse(fields.labels);
        if (fields.timestamp !== undefined) point.timestamp = Number(fields.timestamp);
        return this.points([point], undefined, idMs);
      }
      return { ok: false, reason: `no "points", "samples" or "name"/"value" field (fields: ${Object.keys(fields).join(', ') || 'none'})` };
    } catch (err) {
      return { ok: false, reason: err instanceof SyntaxError ? `malformed JSON: ${err.message}` : String(err) };
    }
  }

  private samples(fields: EntryFields, idMs: number): Decoded {
    const parsed = samplesSchema.safeParse(JSON.parse(fields.samples as string));
    if (!parsed.success) return { ok: false, reason: `samples: ${describe(parsed.error)}` };
    const samples: Sample[] = [];
    for (const s of parsed.data) {
      if (!this.isCanonical(s.series)) return { ok: false, reason: `samples: ${JSON.stringify(s.series)} is not a canonical series key` };
      samples.push({ series: s.series, t: s.t ?? idMs, v: s.v });
    }
    let meta: SeriesMeta[] | undefined;
    if (fields.meta !== undefined) {
      const m = metaListSchema.safeParse(JSON.parse(fields.meta));
      if (!m.success) return { ok: false, reason: `meta: ${describe(m.error)}` };
      meta = m.data.filter((x) => this.isCanonical(x.key));
    }
    return { ok: true, batch: meta ? { samples, meta } : { samples } };
  }

  private points(points: unknown, metadata: string | undefined, idMs: number): Decoded {
    const parsed = this.body.safeParse({ points, ...(metadata !== undefined && { metadata: JSON.parse(metadata) }) });
    if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
    const samples: Sample[] = [];
    const meta = new Map<string, SeriesMeta>();
    for (const p of parsed.data.points) {
      const key = toSeriesKey(p.name, p.labels);
      samples.push({ series: key, t: p.timestamp ?? idMs, v: p.value });
      const given = parsed.data.metadata?.[p.name];
      if (given && !meta.has(key)) {
        meta.set(key, {
          key,
          name: p.name,
          labels: { ...p.labels },
          unit: given.unit ?? unitFromName(p.name),
          type: given.type ?? typeFromName(p.name),
          ...(given.help !== undefined && { help: given.help }),
        });
      }
    }
    samples.sort((a, b) => a.t - b.t);
    return { ok: true, batch: meta.size > 0 ? { samples, meta: [...meta.values()] } : { samples } };
  }

  private isCanonical(key: string): boolean {
    if (this.canonical.has(key)) return true;
    try {
      const { name, labels } = parseSeriesKey(key);
      if (toSeriesKey(name, labels) !== key || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) return false;
    } catch {
      return false;
    }
    if (this.canonical.size >= CANONICAL_CACHE_MAX) this.canonical.clear();
    this.canonical.add(key);
    return true;
  }
}

/** The first few issues of a zod error, as one line. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(entry)'}: ${i.message}`)
    .join('; ');
}
