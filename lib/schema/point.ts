import { z } from 'zod';
import { clip } from '@/lib/http';
import type { PointLimits } from './limits';
import { labelNameSchema, metricMetaSchema, metricNameSchema, metricTypeSchema, seriesMetaSchema, unitSchema } from './series';

// Characters of an overlong name a message quotes: enough to recognise it.
const NAME_ECHO = 40;
// Unknown keys a message names, of however many were sent.
const KEYS_NAMED = 3;

const atMost = (n: number, what: string, setting: string): string => `at most ${n} ${what} (${setting})`;

/** zod's own message for unknown keys quotes each of them whole; a key can be as long as the body. */
const strict = {
  error: (issue: z.core.$ZodRawIssue): string | undefined => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    const named = issue.keys.slice(0, KEYS_NAMED).map((k) => clip(k, NAME_ECHO));
    const more = issue.keys.length > KEYS_NAMED ? ` and ${issue.keys.length - KEYS_NAMED} more` : '';
    return `unrecognized key${issue.keys.length > 1 ? 's' : ''} ${named.join(', ')}${more}`;
  },
};

/**
 * Checks an object's keys before a record runs its key rule (a RegExp) over them: at most
 * `maxKeys`, none longer than `maxLength`, and no own `__proto__` (zod's record drops the one
 * JSON.parse makes without a word, and a label the producer sent must never vanish silently).
 * The issue lands on the object itself, so no path or message repeats an overlong key whole.
 */
function guardKeys(what: 'label name' | 'metric name', maxLength: number, setting: string, maxKeys?: number) {
  return (value: unknown, ctx: z.RefinementCtx): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value; // the record says what is wrong
    const keys = Object.keys(value);
    if (maxKeys !== undefined && keys.length > maxKeys) {
      ctx.addIssue({ code: 'custom', message: atMost(maxKeys, 'labels', 'INGEST_MAX_LABELS') });
      return value;
    }
    const long = keys.find((k) => k.length > maxLength);
    if (long !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${what} ${clip(long, NAME_ECHO)} is longer than ${maxLength} characters (${setting})` });
    } else if (Object.hasOwn(value, '__proto__')) {
      ctx.addIssue({ code: 'custom', path: ['__proto__'], message: `${what}s starting with "__" are reserved` });
    }
    return value;
  };
}

/** A metric name of at most `max` characters; the length is checked before the name rule runs. */
function boundedName(max: number) {
  return z.string().max(max, { error: atMost(max, 'characters', 'INGEST_MAX_NAME_LENGTH'), abort: true }).pipe(metricNameSchema);
}

/**
 * Where `text` holds a control character other than tab (C0, DEL, C1), or -1. JSON writes each
 * as six bytes (`\u0001`), so help text made of them was the review's 6× amplifier; no help
 * text needs one.
 */
function controlCharAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return i;
  }
  return -1;
}

/** Why a help text is refused: over INGEST_MAX_HELP_LENGTH, or a control character; null when it is fine. */
export function helpProblem(help: string, maxLength: number): string | null {
  if (help.length > maxLength) return atMost(maxLength, 'characters', 'INGEST_MAX_HELP_LENGTH');
  const at = controlCharAt(help);
  if (at === -1) return null;
  const code = help.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain control characters (U+${code} at character ${at}); tab is the only one allowed`;
}

/** A metric's help text: at most INGEST_MAX_HELP_LENGTH characters, no control character but tab. */
function helpSchema(maxLength: number) {
  return z.string().superRefine((help, ctx) => {
    const problem = helpProblem(help, maxLength);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** Optional per-metric metadata: explicit unit, type and help text. */
function metricMetadataSchema(maxHelpLength: number) {
  return z.strictObject(
    {
      type: metricTypeSchema.optional(),
      unit: unitSchema.optional(),
      help: helpSchema(maxHelpLength).optional(),
    },
    strict,
  );
}
export type MetricMetadata = z.infer<ReturnType<typeof metricMetadataSchema>>;

/** A finite number: JSON cannot say NaN, and a chart cannot draw ±Infinity. */
const valueSchema = z.number('must be a finite number');
const timestampSchema = z.number('must be milliseconds since the epoch').int('must be a whole number of milliseconds').positive();

function buildSchemas(limits: PointLimits) {
  const labelValue = z
    .string('must be a string')
    .max(limits.maxLabelValueLength, atMost(limits.maxLabelValueLength, 'characters', 'INGEST_MAX_LABEL_VALUE_LENGTH'));
  const labels = z.preprocess(
    guardKeys('label name', limits.maxLabelNameLength, 'INGEST_MAX_LABEL_NAME_LENGTH', limits.maxLabels),
    z.record(labelNameSchema, labelValue),
  );
  const name = boundedName(limits.maxNameLength);
  const point = z.strictObject({ name, labels: labels.optional(), value: valueSchema, timestamp: timestampSchema.optional() }, strict);
  const points = z
    .array(point, 'must be an array of points')
    .min(1, 'must hold at least one point')
    .max(limits.maxPoints, atMost(limits.maxPoints, 'points per request', 'INGEST_MAX_POINTS'));
  const metadata = z.preprocess(
    guardKeys('metric name', limits.maxNameLength, 'INGEST_MAX_NAME_LENGTH'),
    z.record(metricNameSchema, metricMetadataSchema(limits.maxHelpLength)),
  );
  const help = helpSchema(limits.maxHelpLength);
  const seriesKey = z
    .string()
    .min(1)
    .max(limits.maxSeriesKeyLength, { error: atMost(limits.maxSeriesKeyLength, 'characters', 'INGEST_MAX_SERIES_KEY_LENGTH'), abort: true });
  const body = z.strictObject({ points, metadata: metadata.optional() }, strict);
  return {
    /** The JSON body of `POST /api/ingest` (and the `points`/`metadata` fields of a Redis entry). */
    body,
    /** The body's `metadata` alone (see plainPoint: the points of a body are most often checked without zod). */
    metadata,
    /** The body with its points left unchecked but counted: a large one's points are then checked in slices (`pointList`). */
    envelope: body.extend({ points: z.array(z.unknown()).min(1).max(limits.maxPoints) }),
    pointList: z.array(point),
    /** What Pulseboard instances write to Redis (`samples`): points under canonical keys. */
    samples: z
      .array(z.strictObject({ series: seriesKey, t: timestampSchema.optional(), v: valueSchema }, strict))
      .min(1, 'must hold at least one sample')
      .max(limits.maxPoints, atMost(limits.maxPoints, 'samples per entry', 'INGEST_MAX_POINTS')),
    /** ...and the metadata of their names (`metrics`); unknown keys are ignored, for newer writers. */
    metrics: z
      .array(metricMetaSchema.extend({ name, help: help.optional() }))
      .max(limits.maxPoints, atMost(limits.maxPoints, 'metrics per entry', 'INGEST_MAX_POINTS')),
    /** What instances before per-name metadata wrote instead (`meta`): metadata per series, help repeated in each. */
    meta: z
      .array(seriesMetaSchema.extend({ key: seriesKey, name, labels, help: help.optional() }))
      .max(limits.maxPoints, atMost(limits.maxPoints, 'series per entry', 'INGEST_MAX_POINTS')),
  };
}

/** The schemas of every way points arrive, bounded by `limits`. */
export type PointSchemas = ReturnType<typeof buildSchemas>;
export type IngestBody = z.infer<PointSchemas['body']>;

const built = new WeakMap<PointLimits, PointSchemas>();

/** The schemas for `limits`, built once per limits object. */
export function pointSchemas(limits: PointLimits): PointSchemas {
  let schemas = built.get(limits);
  if (!schemas) built.set(limits, (schemas = buildSchemas(limits)));
  return schemas;
}

// The name rules of lib/schema/series.ts as character classes: [a-zA-Z_:] then [a-zA-Z0-9_:]* for
// metric names, [a-zA-Z_] then [a-zA-Z0-9_]* for label names.
function wordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function plainName(name: unknown, max: number): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > max) return false;
  const c = name.charCodeAt(0);
  if (c >= 48 && c <= 57) return false;
  for (let i = 0; i < name.length; i++) {
    const d = name.charCodeAt(i);
    if (!wordCode(d) && d !== 58) return false;
  }
  return true;
}

function plainLabelName(name: string, max: number): boolean {
  if (name.length === 0 || name.length > max) return false;
  const c = name.charCodeAt(0);
  if (c >= 48 && c <= 57) return false;
  // `__`-prefixed names are reserved (and `__proto__` among them).
  if (c === 95 && name.charCodeAt(1) === 95) return false;
  for (let i = 0; i < name.length; i++) if (!wordCode(name.charCodeAt(i))) return false;
  return true;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * True when `p` is a point the body schema accepts as it is: an object of `name`, optional
 * `labels`, `value` and optional `timestamp`, every rule and limit of the schema met. A point it
 * is not sure of is left to the schema, which accepts or names what is wrong: this only spares
 * the common case zod's copying (a third of ingest's time at 1,000 points a request). It reads
 * each field once, bounded by the limits; the unit tests hold it to the schema.
 */
export function plainPoint(p: unknown, limits: PointLimits): boolean {
  if (!isRecord(p)) return false;
  let keys = 0;
  for (const k in p) {
    if (k !== 'name' && k !== 'labels' && k !== 'value' && k !== 'timestamp') return false;
    keys++;
  }
  if (!Object.hasOwn(p, 'name') || !Object.hasOwn(p, 'value') || keys > 4) return false;
  if (!plainName(p.name, limits.maxNameLength)) return false;
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) return false;
  if (p.timestamp !== undefined && !(typeof p.timestamp === 'number' && Number.isSafeInteger(p.timestamp) && p.timestamp > 0)) return false;
  const labels = p.labels;
  if (labels === undefined) return !Object.hasOwn(p, 'labels');
  if (!isRecord(labels) || Object.getPrototypeOf(labels) !== Object.prototype) return false;
  let count = 0;
  for (const k in labels) {
    if (++count > limits.maxLabels || !Object.hasOwn(labels, k) || !plainLabelName(k, limits.maxLabelNameLength)) return false;
    const v = labels[k];
    if (typeof v !== 'string' || v.length > limits.maxLabelValueLength) return false;
  }
  return true;
}
