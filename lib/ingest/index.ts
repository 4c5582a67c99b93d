import 'server-only';

export { ingest, REJECTION_REASONS, type IngestResult, type IngestDeps } from './ingest';
export { parsePrometheusText, TextFormatError, type TextExposition, type TextSample, type TextLimits } from './prometheus';
