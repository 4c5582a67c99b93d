/**
 * The bounds every point is checked against, whichever way it arrives (HTTP JSON, Prometheus
 * text, a Redis entry). Each is a setting in lib/env.ts, named in the messages that enforce it.
 */
export interface PointLimits {
  /** INGEST_MAX_POINTS: points of one request or entry. */
  maxPoints: number;
  /** INGEST_MAX_LABELS: labels of one point. */
  maxLabels: number;
  /** INGEST_MAX_LABEL_VALUE_LENGTH */
  maxLabelValueLength: number;
  /** INGEST_MAX_NAME_LENGTH: a metric name. */
  maxNameLength: number;
  /** INGEST_MAX_LABEL_NAME_LENGTH */
  maxLabelNameLength: number;
  /** INGEST_MAX_SERIES_KEY_LENGTH: the whole canonical key, `name{k="v",...}`. */
  maxSeriesKeyLength: number;
  /** INGEST_MAX_HELP_LENGTH: a metric's help text. */
  maxHelpLength: number;
  /** INGEST_MAX_FUTURE: how far ahead of this server's clock a point may be, in ms. */
  maxFutureMs: number;
}
