import type { Cursor } from '@/lib/bus';
import type { MetricMeta, Sample } from '@/lib/schema';
import type { SeriesKey } from '@/lib/series';
import { CHUNK_BYTES, ItemText, encodeReset, nameOf, pieces, type Piece, type Selection } from './encode';
import type { ReplayLog } from './replay';

// Items a stretch of the log selects, as encoded: room left for the events' framing and the
// retry hint, so that a stretch's pieces share one chunk.
const STRETCH_BYTES = CHUNK_BYTES - 4 * 1024;
// Least room worth reading another stretch into.
const MIN_STRETCH_BYTES = 4 * 1024;

/** The part of the replay log a resuming stream has to send, and which series it wants. */
export interface CatchUpRange {
  log: ReplayLog;
  /** Position of the first message to send. */
  from: number;
  /** Position just past the last one: the log's end when the stream opened (later ones arrive live). */
  end: number;
  /** Id of the message before `end`, where a stream told to refetch continues from. */
  last: Cursor | null;
  matches(key: SeriesKey): boolean;
  /** Matching steps `matches(key)` may take: 0 once the answer is remembered. */
  cost(key: SeriesKey): number;
}

/**
 * What a stream sends before its live events: the retry hint (`head`), then, when it resumes,
 * the matching messages of its range, then `tail` (the `live` marker and any bus notice). Made a
 * chunk at a time as the client reads, so an unread stream holds a position in the log rather
 * than an encoded copy of it. A chunk is at most CHUNK_BYTES as encoded, whatever the entries:
 * one large entry is cut into pieces (and, past CHUNK_BYTES of it, read over several chunks). If
 * the log drops messages before the stream has read them, the stream gets a `reset` in their
 * place, never a silent gap.
 */
export class Opening {
  /** How reading the log ended: all of it sent, or a reset because the log moved past the stream. */
  outcome: 'resumed' | 'reset' | undefined;
  private head: string;
  private tail: string | undefined;
  private position: number;
  /** Items of the entry at `position` already read (a stretch can end inside an entry). */
  private offset = 0;
  /** Pieces of the stretch read last, not all handed out yet. */
  private pending: Iterator<Piece> | undefined;
  private held: Piece | undefined;
  /** Bytes of the head in the chunk being made. */
  private headBytes = 0;
  /** Pieces of a batch have gone out and its last has not. */
  private open = false;
  /** Names of the series this stream wants in the entry being read: their descriptions go with them. */
  private readonly names = new Set<string>();

  constructor(
    head: string,
    tail: string,
    private readonly range?: CatchUpRange,
  ) {
    this.head = head;
    this.tail = tail;
    this.position = range?.from ?? 0;
  }

  /** Still has messages of the log to send: this is what the catch-up cap counts. */
  get reading(): boolean {
    return this.range !== undefined && this.position < this.range.end;
  }

  /** Everything has been handed out; live events follow. */
  get done(): boolean {
    return this.tail === undefined;
  }

  /**
   * The next chunk, of at most CHUNK_BYTES (a single larger piece alone), with head and tail where
   * they belong. Reading the log spends at most `budget` matching steps; '' (while not done) when
   * they ran out before anything was made: ask again later.
   */
  next(budget = Infinity): string {
    let text = this.head;
    let bytes = this.head.length;
    this.headBytes = bytes;
    this.head = '';
    for (;;) {
      const piece = this.held ?? this.pending?.next().value;
      this.held = undefined;
      if (piece) {
        if (bytes > 0 && bytes + piece.bytes > CHUNK_BYTES) {
          this.held = piece;
          return text;
        }
        text += piece.text;
        bytes += piece.bytes;
        continue;
      }
      this.pending = undefined;
      if (this.range && this.reading) {
        // Read no further than this chunk has room for: an unread stream holds a position, not pieces.
        const room = STRETCH_BYTES - bytes;
        if (budget <= 0 || (bytes > this.headBytes && room < MIN_STRETCH_BYTES)) return text;
        budget -= this.read(this.range, budget, room);
        continue;
      }
      text += this.tail ?? '';
      this.tail = undefined;
      return text;
    }
  }

  /** Selects the next stretch of the log (about STRETCH_BYTES of what matches) into `pending`; returns the steps spent. */
  private read(range: CatchUpRange, budget: number, room: number): number {
    if (this.position < range.log.first) {
      this.position = range.end;
      this.outcome = 'reset';
      // Pieces of a batch left open are dropped by the client on a reset.
      this.open = false;
      const text = encodeReset(range.last, 'the replay log dropped events before this stream read them');
      this.pending = [{ text, bytes: text.length }].values();
      return 0;
    }
    const items = new ItemText();
    const selection: Selection = { metrics: [], series: [], samples: [] };
    let id: Cursor | undefined;
    let size = 0;
    let spent = 0;
    const take = <T extends Sample | SeriesKey | MetricMeta>(list: T[], item: T) => {
      list.push(item);
      size += items.of(item).bytes;
    };
    const wanted = (key: SeriesKey) => {
      spent += 1 + range.cost(key);
      if (!range.matches(key)) return false;
      this.names.add(nameOf(key));
      return true;
    };
    while (this.position < range.end && size < room && spent < budget) {
      const entry = range.log.at(this.position);
      if (!entry) {
        this.position++;
        continue;
      }
      // An entry's keys first, then the descriptions of the names they hold (pieces() sends those first).
      const { samples } = entry.message;
      const { series, metrics } = entry.announced;
      const count = series.length + samples.length + metrics.length;
      for (; this.offset < count && size < room && spent < budget; this.offset++) {
        const i = this.offset;
        if (i < series.length) {
          const key = series[i] as SeriesKey;
          if (wanted(key)) take(selection.series, key);
        } else if (i < series.length + samples.length) {
          const sample = samples[i - series.length] as Sample;
          if (wanted(sample.series)) take(selection.samples, sample);
        } else {
          const metric = metrics[i - series.length - samples.length] as MetricMeta;
          if (this.names.has(metric.name)) take(selection.metrics, metric);
        }
      }
      if (this.offset < count) break;
      id = entry.message.id;
      this.position++;
      this.offset = 0;
      this.names.clear();
    }
    if (!this.reading) this.outcome = 'resumed';
    const ends = this.offset === 0 && id !== undefined;
    const total = selection.metrics.length + selection.series.length + selection.samples.length;
    if (total > 0) {
      this.pending = pieces(selection, { id: id ?? '', last: ends }, items);
      this.open = !ends;
    } else if (ends && this.open) {
      // The batch whose first pieces went out ends here with nothing more of it: its last piece, empty.
      this.pending = pieces({ metrics: [], series: [], samples: [] }, { id: id ?? '', last: true }, items);
      this.open = false;
    }
    return spent;
  }
}
