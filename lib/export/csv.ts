/** A point as the store hands it out: `[t, v]`. */
type Pair = readonly [t: number, v: number];

/** Header of a history CSV: one row per point. */
export const CSV_HEADER = 'series,timestamp_ms,time_utc,value';

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Raw history as CSV (RFC 4180, CRLF line ends): the series key, the time in ms since the epoch
 * and as ISO 8601 UTC, and the value exactly as stored (shortest round-trip decimal).
 */
export function historyCsv(series: ReadonlyArray<{ key: string; points: readonly Pair[] }>): string {
  const lines = [CSV_HEADER];
  for (const { key, points } of series) {
    const field = csvField(key);
    for (const [t, v] of points) lines.push(`${field},${t},${new Date(t).toISOString()},${v}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
