import 'server-only';

export { openStream, streamHead, streamQuerySchema, type StreamQuery } from './stream';
export { health } from './health';
export { dashboardData, type DashboardData } from './dashboard';
export { ingestResponse } from './ingest';
export { listSeries, seriesHistory, historyQuerySchema, type HistoryQuery } from './series';
export { queryLines, MAX_LINES } from './query';
export { metricsText } from './metrics';
export { metricBrowser, metricDetail, metricCsv, exportQuerySchema, type MetricSummary, type MetricDetail, type ExportQuery } from './browse';
export { respond, pageAdmitted, methodNotAllowed, noSuchEndpoint } from './respond';
