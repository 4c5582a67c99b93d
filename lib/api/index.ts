import 'server-only';

export { openStream, streamHead, streamQuerySchema, type StreamQuery } from './stream';
export { health } from './health';
export { accountOf, dashboardData, type Account, type DashboardData } from './dashboard';
export { ingestResponse } from './ingest';
export { listSeries, seriesHistory, historyQuerySchema, type HistoryQuery } from './series';
export { queryLines, MAX_LINES } from './query';
export { metricsText } from './metrics';
export { metricBrowser, metricDetail, metricCsv, exportQuerySchema, type MetricSummary, type MetricDetail, type ExportQuery } from './browse';
export { respond, pageAdmitted, methodNotAllowed, noSuchEndpoint } from './respond';
export { loginResponse, logoutResponse, safeNext } from './auth';
export { scrapeTargets, visibleTargets } from './scrape';
export { alertsResponse, alertRulesFile, replaceAlertRules, visibleAlerts } from './alerts';
