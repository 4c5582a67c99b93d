import 'server-only';

export { ingest, REJECTION_REASONS, textToBatch, type IngestResult, type ReadPoints } from './ingest';
export { readBody } from './body';
export { parsePrometheusText, SeriesCache, TextFormatError, type TextExposition, type TextSample } from './prometheus';
