// Client-safe (no zod): the browser's store parses keys with it. Schemas live in lib/schema.
export type { Labels, MetricType, SeriesMeta, Sample } from '@/lib/schema';
export { toSeriesKey, parseSeriesKey, escapeLabelValue, SeriesKeyError, type SeriesKey } from './key';
export { compileGlob, compileSeriesFilter, type SeriesFilter } from './glob';
export { lengthProblem, queryProblem, seriesGlobs, seriesQueryProblem, workProblem, QUERY_WORK_ADVICE, SERIES_WORK_ADVICE, type QueryLimits, type QueryProblem, type WorkLimit } from './limits';
export { matchInSlices } from './slice';
export { JS_STEP } from './piece';
export { typeFromName, metaFromKey } from './meta';
