// Client-safe: charts import this face, so it must stay free of zod and server code.
export { UNITS, type Unit, unitFromName, formatValue, rateUnit } from './format';
export { parseDuration } from './duration';
export { niceTicks } from './ticks';
