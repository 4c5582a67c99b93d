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
export { MAX_HELP_LENGTH, type PointLimits } from './limits';
export { pointSchemas, metricMetadataSchema, type PointSchemas, type IngestBody, type IngestPoint, type MetricMetadata } from './point';
