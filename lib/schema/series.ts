import { z } from 'zod';
import { UNITS } from '@/lib/units';

/** Prometheus metric-name rule. */
export const metricNameSchema = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must match [a-zA-Z_:][a-zA-Z0-9_:]* (the Prometheus metric-name rule)');

/** Prometheus label-name rule; `__`-prefixed names are reserved. */
export const labelNameSchema = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must match [a-zA-Z_][a-zA-Z0-9_]* (the Prometheus label-name rule)')
  .refine((s) => !s.startsWith('__'), 'label names starting with "__" are reserved');

export const labelsSchema = z.record(labelNameSchema, z.string());
export type Labels = z.infer<typeof labelsSchema>;

export const metricTypeSchema = z.enum(['gauge', 'counter', 'histogram', 'summary', 'untyped']);
export type MetricType = z.infer<typeof metricTypeSchema>;

/** How values of a series are measured; the UI scales them (KB/MB/GB, µs/ms/s, %). */
export const unitSchema = z.enum(UNITS);

/** What is known of a series besides its points. */
export const seriesMetaSchema = z.object({
  key: z.string(),
  name: metricNameSchema,
  labels: labelsSchema,
  unit: unitSchema,
  type: metricTypeSchema,
  help: z.string().optional(),
});
export type SeriesMeta = z.infer<typeof seriesMetaSchema>;

/** One value of one series at one time, as it travels on the bus and the wire. */
export const sampleSchema = z.object({
  series: z.string(),
  t: z.number(),
  v: z.number(),
});
export type Sample = z.infer<typeof sampleSchema>;


/** Points published together; `meta` describes series whose name alone does not (units, help). */
export interface Batch {
  samples: Sample[];
  meta?: SeriesMeta[];
}
