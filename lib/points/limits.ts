import type { Env } from '@/lib/env';
import type { PointLimits } from '@/lib/schema';

const fromEnv = new WeakMap<Env, PointLimits>();

/** The point limits the settings give, one object per environment (schemas are cached by it). */
export function pointLimits(env: Env): PointLimits {
  let limits = fromEnv.get(env);
  if (!limits) {
    limits = {
      maxPoints: env.INGEST_MAX_POINTS,
      maxLabels: env.INGEST_MAX_LABELS,
      maxLabelValueLength: env.INGEST_MAX_LABEL_VALUE_LENGTH,
      maxNameLength: env.INGEST_MAX_NAME_LENGTH,
      maxLabelNameLength: env.INGEST_MAX_LABEL_NAME_LENGTH,
      maxSeriesKeyLength: env.INGEST_MAX_SERIES_KEY_LENGTH,
      maxHelpLength: env.INGEST_MAX_HELP_LENGTH,
      maxFutureMs: env.INGEST_MAX_FUTURE,
    };
    fromEnv.set(env, limits);
  }
  return limits;
}
