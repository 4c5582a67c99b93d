import type { Cursor } from '@/lib/bus';
import type { MetricMeta, Sample } from '@/lib/schema';
import type { SeriesKey } from '@/lib/series';
import { PIECE_OVERHEAD, alertData, encodeData, isAlertKey, pointsData, seriesData } from '@/lib/wire';
import { encodeEvent } from './sse';

/**
 * Most bytes of one piece of a batch, and of one chunk handed to a stream, besides an item too
 * large to share one (a sample with a long key, a long help text): that goes alone. One event of
 * 212 MB held a socket, the heap and the event loop for seconds.
 */
export const CHUNK_BYTES = 64 * 1024;

/** What one stream (or one filter's streams) gets of a batch: descriptions of names, new series' keys, samples. */
export interface Selection {
  metrics: MetricMeta[];
  series: SeriesKey[];
  samples: Sample[];
}

/** The metric name of a series key. */
export function nameOf(key: SeriesKey): string {
  const brace = key.indexOf('{');
  return brace === -1 ? key : key.slice(0, brace);
}

/**
 * What a filter gets of a selection: the series and samples it matches, in order, and the
 * descriptions of the names among them (a description alone is never sent: a filtered stream
 * learns of a name with its series).
 */
export function selectFor({ metrics, series, samples }: Selection, matches: (key: SeriesKey) => boolean): Selection {
  const names = new Set<string>();
  const wanted = (key: SeriesKey) => matches(key) && (names.add(nameOf(key)), true);
  const out: Selection = { metrics: [], series: series.filter(wanted), samples: samples.filter((s) => wanted(s.series)) };
  if (names.size > 0) out.metrics = metrics.filter((m) => names.has(m.name));
  return out;
}

/** An encoded event or run of events, with its size in UTF-8 bytes. */
export interface Piece {
  text: string;
  bytes: number;
}

/** UTF-8 bytes of a string, without encoding it (a lone surrogate counts as U+FFFD, as TextEncoder writes it). */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: four bytes for two units
      i++;
    } else n += 2;
  }
  return n;
}

// UTF-8 bytes of series keys' JSON, kept across flushes: every message is sized for the replay
// log, and its keys are the same few thousand again and again. Bounded by the characters of the
// keys it holds (series that come and go cannot grow it): emptied when full.
const KEY_CHARS_MAX = 8 * 1024 ** 2;
const keyBytesCache = new Map<string, number>();
let keyChars = 0;

function keyBytes(key: string): number {
  let bytes = keyBytesCache.get(key);
  if (bytes === undefined) {
    if (keyChars + key.length > KEY_CHARS_MAX) {
      keyBytesCache.clear();
      keyChars = 0;
    }
    keyBytesCache.set(key, (bytes = utf8Length(JSON.stringify(key))));
    keyChars += key.length;
  }
  return bytes;
}

/** Characters of a finite number as JSON writes it (the same as String for finite numbers). */
function numberLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return String(n).length;
  let digits = 1;
  for (let p = 10; n >= p; p *= 10) digits++;
  return digits;
}
// A sample's JSON besides its key's and its numbers': `{"series":` `,"t":` `,"v":` `}`.
const SAMPLE_FRAME = 21;

/**
 * Items (samples, descriptions, keys) as JSON, each encoded once: a flush encodes a sample once
 * for every filter that gets it, and the sizes are what is sent, not an estimate. A sample is
 * written as `{"series":…,"t":…,"v":…}` with its key's JSON made once per key, and sized
 * without being written (the replay log needs every message's size, a stream only what it is sent).
 */
export class ItemText {
  private readonly texts = new Map<Sample | MetricMeta | SeriesKey, Piece>();

  of(item: Sample | MetricMeta | SeriesKey): Piece {
    let piece = this.texts.get(item);
    if (!piece) {
      if (typeof item === 'object' && 'series' in item) {
        const key = this.of(item.series);
        const text = `{"series":${key.text},"t":${item.t},"v":${item.v}}`;
        piece = { text, bytes: key.bytes + (text.length - key.text.length) };
      } else {
        const text = JSON.stringify(item);
        piece = { text, bytes: utf8Length(text) };
      }
      this.texts.set(item, piece);
    }
    return piece;
  }

  /** UTF-8 bytes of a sample's JSON, as `of` writes it. */
  sampleBytes(s: Sample): number {
    const written = this.texts.get(s);
    if (written) return written.bytes;
    return keyBytes(s.series) + SAMPLE_FRAME + numberLength(s.t) + numberLength(s.v);
  }

  /** Encoded bytes of a selection's items, with the commas and the framing of one event of each kind. */
  bytesOf({ metrics, series, samples }: Selection): number {
    let bytes = 2 * (PIECE_OVERHEAD + 64);
    for (const m of metrics) bytes += this.of(m).bytes + 1;
    for (const k of series) bytes += this.of(k).bytes + 1;
    for (const s of samples) bytes += this.sampleBytes(s) + 1;
    return bytes;
  }
}

/** Where a run of pieces ends: the batch's last piece (carrying `id`), or a piece with more to come. */
interface PieceEnd {
  id: Cursor;
  /** False when the selection is only part of a batch (a catch-up cut inside a log entry): its last piece says `more`. */
  last: boolean;
}

/** A piece being filled: its items' JSON, its data's bytes so far (an upper bound), and the bytes its text has beyond one per UTF-16 unit. */
interface Filling {
  texts: string[];
  bytes: number;
  count: number;
  surplus: number;
}

function piece(event: 'series' | 'points' | 'alert', data: string, { surplus }: Filling, id?: Cursor): Piece {
  const text = encodeEvent({ event, ...(id !== undefined && { id }), data });
  // Everything but the items is ASCII: the text's length plus the items' surplus is its exact size.
  return { text, bytes: text.length + surplus };
}

// Room an event's framing takes besides its data: `event:`, an `id:` of a cursor (at most 128
// characters), `data: ` and the blank line.
const FRAMING_BYTES = 192;

/** Moves items of `list` from `at` into `piece` while they fit (the first always does); returns where it stopped. */
function take<T extends Sample | MetricMeta | SeriesKey>(list: readonly T[], at: number, piece: Filling, items: ItemText): number {
  for (; at < list.length; at++) {
    const p = items.of(list[at] as T);
    if (piece.count > 0 && piece.bytes + p.bytes + 1 > CHUNK_BYTES - FRAMING_BYTES) break;
    piece.texts.push(p.text);
    piece.bytes += p.bytes + 1;
    piece.surplus += p.bytes - p.text.length;
    piece.count++;
  }
  return at;
}

const filling = (): Filling => ({ texts: [], bytes: PIECE_OVERHEAD, count: 0, surplus: 0 });

/**
 * The events of a selection in pieces of at most CHUNK_BYTES (see lib/wire/events.ts for what a
 * client does with them): `series` pieces (descriptions, then keys), then `points` pieces; every
 * piece but the batch's last says `more`, and only the last carries the id.
 */
export function* pieces(selection: Selection, end: PieceEnd, items: ItemText = new ItemText()): Generator<Piece> {
  const { metrics, series, samples } = selection;
  const total = metrics.length + series.length + samples.length;
  // Nothing of its own, but it ends a batch whose pieces went out before: an empty last piece.
  if (total === 0 && end.last) yield piece('points', pointsData([], false), filling(), end.id);
  let sent = 0;
  let m = 0;
  let k = 0;
  while (m < metrics.length || k < series.length) {
    const described = filling();
    m = take(metrics, m, described, items);
    const keys: Filling = { ...described, texts: [] };
    if (m === metrics.length) k = take(series, k, keys, items);
    sent += keys.count;
    const more = sent < total || !end.last;
    yield piece('series', seriesData(described.texts, keys.texts, more), keys, more ? undefined : end.id);
  }
  // Alert states among the samples, as `alert` events before the points that carry them too.
  let alerts: Sample[] | undefined;
  for (const sample of samples) if (isAlertKey(sample.series)) (alerts ??= []).push(sample);
  for (let a = 0; alerts && a < alerts.length; ) {
    const states = filling();
    a = take(alerts, a, states, items);
    yield piece('alert', alertData(states.texts), states);
  }
  let s = 0;
  while (s < samples.length) {
    const points = filling();
    s = take(samples, s, points, items);
    sent += points.count;
    const more = sent < total || !end.last;
    yield piece('points', pointsData(points.texts, more), points, more ? undefined : end.id);
  }
}

/** Consecutive pieces joined into chunks of at most CHUNK_BYTES (a piece larger than that alone), with the events each holds. */
export function* chunks(source: Iterable<Piece>): Generator<Piece & { events: number }> {
  let chunk = { text: '', bytes: 0, events: 0 };
  for (const p of source) {
    if (chunk.events > 0 && chunk.bytes + p.bytes > CHUNK_BYTES) {
      yield chunk;
      chunk = { text: '', bytes: 0, events: 0 };
    }
    chunk.text += p.text;
    chunk.bytes += p.bytes;
    chunk.events++;
  }
  if (chunk.events > 0) yield chunk;
}

/**
 * The event telling a client that the server no longer has what it missed: it refetches history
 * and continues from `latest`, which the event's id hands it.
 */
export function encodeReset(latest: Cursor | null, reason: string): string {
  return encodeEvent({
    event: 'reset',
    ...(latest !== null && { id: latest }),
    data: encodeData('reset', { reason: `${reason}: refetch history`, cursor: latest }),
  });
}
