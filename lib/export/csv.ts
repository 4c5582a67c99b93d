/** A point as the store hands it out: `[t, v]`. */
type Pair = readonly [t: number, v: number];

/** Header of a history CSV: one row per point. */
export const CSV_HEADER = 'series,timestamp_ms,time_utc,value';

/** About how many characters of CSV one chunk of the stream holds. */
const CHUNK_CHARS = 64 * 1024;

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  // linear: one character class, and a one-character replace.
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One series of an export: its key, and its points, read only when the export reaches it. */
export interface CsvSeries {
  key: string;
  points: () => readonly Pair[];
}

/**
 * Raw history as CSV (RFC 4180, CRLF line ends): the series key, the time in ms since the epoch
 * and as ISO 8601 UTC, and the value exactly as stored (shortest round-trip decimal).
 *
 * Produced as the reader pulls, in chunks of about `chunkChars`, series by series: the server holds
 * one series' points and one chunk at a time however large the export, and a slow reader is never
 * got ahead of (nothing is produced before it asks).
 */
export function historyCsvStream(series: readonly CsvSeries[], chunkChars = CHUNK_CHARS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  let field = '';
  let points: readonly Pair[] = [];
  let at = 0;
  let started = false;
  const finished = () => at >= points.length && next >= series.length;
  const close = () => {
    next = series.length;
    points = [];
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let chunk = started ? '' : `${CSV_HEADER}\r\n`;
        started = true;
        while (chunk.length < chunkChars && !finished()) {
          if (at < points.length) {
            const [t, v] = points[at++] as Pair;
            chunk += `${field},${t},${new Date(t).toISOString()},${v}\r\n`;
          } else {
            const s = series[next++] as CsvSeries;
            field = csvField(s.key);
            points = s.points();
            at = 0;
          }
        }
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (finished()) {
          close();
          controller.close();
        }
      },
      cancel: close,
    },
    // Nothing is made ahead of a read.
    { highWaterMark: 0 },
  );
}
