import 'server-only';

export { ingest, REJECTION_REASONS, type IngestResult } from './ingest';
export { readBody } from './body';
export { parsePrometheusText, TextFormatError, type TextExposition, type TextSample } from './prometheus';
