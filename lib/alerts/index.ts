// Server-only: alert rules (ALERTS_FILE), their evaluation and notifications. See docs/alerts.md.
export { AlertEvaluator, ALERTS_METRIC, alertSeries, type AlertsStatus, type AlertView, type HistoryEntry, type RuleView } from './evaluator';
export { AlertsConfigError, parseAlerts, MAX_FILE_BYTES, type AlertsConfig, type Rule } from './rules';
export { signature, webhookBody } from './notify';
