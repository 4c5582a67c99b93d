export {
  metricNameSchema,
  labelNameSchema,
  labelsSchema,
  metricTypeSchema,
  unitSchema,
  seriesMetaSchema,
  sampleSchema,
  type Labels,
  type MetricType,
  type SeriesMeta,
  type Sample,
} from './series';
