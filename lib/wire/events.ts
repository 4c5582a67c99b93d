import type { Cursor } from '@/lib/bus';
import type { MetricMeta, Sample } from '@/lib/schema';
import type { SeriesKey } from '@/lib/series';

/*
 * Batches and pieces. What one flush (or one stretch of a catch-up) brings a stream is a batch:
 * `series` events, then `points` events. A batch is sent in pieces of bounded size, each a whole
 * SSE event; every piece but the last says `"more":true`, and only the last piece carries an
 * `id:`, the batch's cursor.
 *
 * Nothing missed, nothing twice: a client applies a batch's pieces together once its last piece
 * has come, and drops the pieces it holds when the connection breaks. It then resumes from the
 * last id it saw, which is the previous batch's (no piece before the last has one), so the server
 * replays the whole batch: the pieces it dropped come again, and nothing it applied does.
 */

/** `event: points`: samples of a batch, in order. */
export interface PointsPayload {
  points: Sample[];
  /** Set on every piece of a batch but its last. */
  more?: true;
}

/**
 * `event: series`: metric names described (a new name, changed metadata, or the name of a series
 * new in this batch, so a filtered client always has the description of what it shows), and the
 * keys of series that appeared. A name's help travels once per batch, never once per series.
 */
export interface SeriesPayload {
  metrics: MetricMeta[];
  series: SeriesKey[];
  /** Set on every piece of a batch but its last. */
  more?: true;
}

/**
 * `event: alert`: the alert states among a batch's samples: points of `ALERTS{alertname,
 * alertstate,severity,…}` (1 while the alert instance is in that state, 0 when it leaves it),
 * written by the alert evaluator. Sent before the batch's `points` pieces (which carry the same
 * samples, so history charts them), part of the batch: a resume replays the transitions missed.
 */
export interface AlertPayload {
  alerts: Sample[];
  more: true;
}

/** `event: live`: the catch-up (if any) is over; `cursor` is the newest the server had when the stream opened. */
interface LivePayload {
  cursor: Cursor | null;
}

/** `event: reset`: the server no longer has what the client missed; it refetches history and continues from `cursor`. */
interface ResetPayload {
  reason: string;
  cursor: Cursor | null;
}

/**
 * `event: bus`: sent when the bus's state changes, and on connect while it is not `up`, so a
 * dashboard can say that data is delayed (Redis unreachable); likewise while history is not
 * being saved (`storage`).
 */
export interface BusNotice {
  state: 'connecting' | 'up' | 'down' | 'closed';
  since?: number;
  message?: string;
  /** Set while history cannot be written to disk (DATA_DIR): what the dashboard says, and why. */
  storage?: string;
}

/** Every event of the stream and its `data`. */
interface Payloads {
  points: PointsPayload;
  series: SeriesPayload;
  alert: AlertPayload;
  live: LivePayload;
  reset: ResetPayload;
  bus: BusNotice;
}
type EventName = keyof Payloads;

/** An event's `data` as its type says (the server wrote it: JSON of that shape). */
export function decodeEvent<E extends EventName>(_event: E, data: string): Payloads[E] {
  return JSON.parse(data) as Payloads[E];
}

/** `data` of an event other than a piece of a batch. */
export function encodeData<E extends Exclude<EventName, 'points' | 'series' | 'alert'>>(_event: E, payload: Payloads[E]): string {
  return JSON.stringify(payload);
}

const MORE = ',"more":true';

/** `data` of a `points` piece from its samples, each already JSON (the hub encodes a sample once for every stream). */
export function pointsData(samples: readonly string[], more: boolean): string {
  return `{"points":[${samples.join(',')}]${more ? MORE : ''}}`;
}

/** The metric name of alert states (the alert evaluator writes it; ingest refuses it). */
export const ALERTS_NAME = 'ALERTS';

/** Whether a series key is an alert state's (`ALERTS{…}`). */
export const isAlertKey = (key: string): boolean => key.startsWith('ALERTS{');

/** `data` of an `alert` piece from its samples, each already JSON; always followed by the batch's points. */
export function alertData(samples: readonly string[]): string {
  return `{"alerts":[${samples.join(',')}]${MORE}}`;
}

/** `data` of a `series` piece from its metric descriptions and keys, each already JSON. */
export function seriesData(metrics: readonly string[], keys: readonly string[], more: boolean): string {
  return `{"metrics":[${metrics.join(',')}],"series":[${keys.join(',')}]${more ? MORE : ''}}`;
}

/** Bytes a piece's `data` adds besides its items and the commas between them. */
export const PIECE_OVERHEAD = `{"metrics":[],"series":[]${MORE}}`.length;
