export {
  metricNameSchema,
  labelNameSchema,
  labelsSchema,
  metricTypeSchema,
  unitSchema,
  sampleSchema,
  batchOriginSchema,
  type Batch,
  type BatchOrigin,
  type Labels,
  type MetricType,
  type MetricMeta,
  type SeriesMeta,
  type Sample,
} from './series';
export { durationSchema } from './duration';
export { httpHeadersSchema } from './headers';
export type { PointLimits } from './limits';
export { pointSchemas, plainPoint, helpProblem, type PointSchemas, type IngestBody, type MetricMetadata } from './point';
