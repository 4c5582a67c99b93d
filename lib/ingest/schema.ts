import { z } from 'zod';
import { labelNameSchema, metricNameSchema, metricTypeSchema, unitSchema } from '@/lib/schema';

/** The configurable bounds of one ingest request. */
export interface IngestLimits {
  maxPoints: number;
  maxLabels: number;
  maxLabelValueLength: number;
}

/** Optional per-metric metadata: explicit unit, type and help text. */
export const metricMetadataSchema = z.strictObject({
  type: metricTypeSchema.optional(),
  unit: unitSchema.optional(),
  help: z.string().max(4096, 'at most 4096 characters').optional(),
});
export type MetricMetadata = z.infer<typeof metricMetadataSchema>;

/**
 * zod's record drops an own `__proto__` key (JSON.parse makes one) without a word; a label the
 * producer sent must never vanish silently, so it is refused here like any reserved name.
 */
function rejectProtoKey(value: unknown, ctx: z.RefinementCtx): unknown {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'label names starting with "__" are reserved' });
  }
  return value;
}

/** The JSON body of `POST /api/ingest`, bounded by `limits`. */
export function ingestBodySchema(limits: IngestLimits) {
  const labelValue = z
    .string('must be a string')
    .max(limits.maxLabelValueLength, `at most ${limits.maxLabelValueLength} characters (INGEST_MAX_LABEL_VALUE_LENGTH)`);
  const labels = z
    .record(labelNameSchema, labelValue)
    .refine((l) => Object.keys(l).length <= limits.maxLabels, `at most ${limits.maxLabels} labels (INGEST_MAX_LABELS)`);
  const point = z.strictObject({
    name: metricNameSchema,
    labels: z.preprocess(rejectProtoKey, labels).optional(),
    value: z.number('must be a finite number'),
    timestamp: z.number('must be milliseconds since the epoch').int('must be a whole number of milliseconds').positive().optional(),
  });
  return z.strictObject({
    points: z
      .array(point, 'must be an array of points')
      .min(1, 'must hold at least one point')
      .max(limits.maxPoints, `at most ${limits.maxPoints} points per request (INGEST_MAX_POINTS)`),
    metadata: z.record(metricNameSchema, metricMetadataSchema).optional(),
  });
}

export type IngestBody = z.infer<ReturnType<typeof ingestBodySchema>>;
export type IngestPoint = IngestBody['points'][number];
