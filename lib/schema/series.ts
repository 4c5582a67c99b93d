import { z } from 'zod';
import { UNITS } from '@/lib/units';

// linear: anchored, one character class then one starred class; each character is tried once.
/** Prometheus metric-name rule. Unbounded: lib/schema/point.ts caps the length before it runs. */
export const metricNameSchema = z
  .string()
  .regex(/^[a-z_:][\w:]*$/i, 'must match [a-zA-Z_:][a-zA-Z0-9_:]* (the Prometheus metric-name rule)');

// linear: as the metric-name rule.
/** Prometheus label-name rule; `__`-prefixed names are reserved. */
export const labelNameSchema = z
  .string()
  .regex(/^[a-z_]\w*$/i, 'must match [a-zA-Z_][a-zA-Z0-9_]* (the Prometheus label-name rule)')
  .refine((s) => !s.startsWith('__'), 'label names starting with "__" are reserved');

export const labelsSchema = z.record(labelNameSchema, z.string());
export type Labels = z.infer<typeof labelsSchema>;

export const metricTypeSchema = z.enum(['gauge', 'counter', 'histogram', 'summary', 'untyped']);
export type MetricType = z.infer<typeof metricTypeSchema>;

/** How values of a series are measured; the UI scales them (KB/MB/GB, µs/ms/s, %). */
export const unitSchema = z.enum(UNITS);

/**
 * What is known of a metric name: how its values are measured, its type and its help text. It is
 * the name's, not each series': kept once per name in the store and sent once per name on the
 * wire, however many series the name has (help repeated per series made a 1 MB request 210 MB).
 */
export const metricMetaSchema = z.object({
  name: metricNameSchema,
  unit: unitSchema,
  type: metricTypeSchema,
  help: z.string().optional(),
});
export type MetricMeta = z.infer<typeof metricMetaSchema>;

/** What is known of a series besides its points: its key's name and labels, and its metric's unit and type. */
export const seriesMetaSchema = z.object({
  key: z.string(),
  name: metricNameSchema,
  labels: labelsSchema,
  unit: unitSchema,
  type: metricTypeSchema,
});
export type SeriesMeta = z.infer<typeof seriesMetaSchema>;

/** One value of one series at one time, as it travels on the bus and the wire. */
export const sampleSchema = z.object({
  series: z.string(),
  t: z.number(),
  v: z.number(),
});
export type Sample = z.infer<typeof sampleSchema>;

/**
 * Who wrote a batch, where it matters: series Pulseboard's own collector writes are reserved to
 * it, so a forged point (say, far ahead in time) cannot hold its real points out.
 */
export const batchOriginSchema = z.enum(['collector', 'alerts']);
export type BatchOrigin = z.infer<typeof batchOriginSchema>;

/** Points published together; `metrics` describes names of its samples that their name alone does not (units, help). */
export interface Batch {
  samples: Sample[];
  metrics?: MetricMeta[];
  /** Set by the collector and the alert evaluator only; any other writer leaves it out. */
  origin?: BatchOrigin;
}
