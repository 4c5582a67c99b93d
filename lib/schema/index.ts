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
  type SeriesMeta,
  type Sample,
} from './series';
export type { PointLimits } from './limits';
export { pointSchemas, type PointSchemas, type IngestBody, type MetricMetadata } from './point';
