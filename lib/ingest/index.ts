import 'server-only';

export { ingest, REJECTION_REASONS, type IngestResult } from './ingest';
export { ingestBodySchema, metricMetadataSchema, type IngestBody, type IngestPoint, type IngestLimits, type MetricMetadata } from './schema';
export { parsePrometheusText, TextFormatError, type TextExposition, type TextSample } from './prometheus';
