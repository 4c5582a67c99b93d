import type { Cursor } from '@/lib/bus';
import type { SeriesKey } from '@/lib/series';
import { encodeReset, encodeSelection, type Selection } from './encode';
import type { ReplayLog } from './replay';

// A catch-up goes out in pieces of about this size, each made when the client has read the last.
const CHUNK_BYTES = 64 * 1024;
// Estimated encoded size of a point besides its series key, and of an announcement besides its key.
const POINT_BYTES = 40;
const META_BYTES = 64;

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
}

/**
 * What a stream sends before its live events: the retry hint (`head`), then, when it resumes,
 * the matching messages of its range, then `tail` (the `live` marker and any bus notice). Made a
 * chunk at a time as the client reads, so an unread stream holds a position in the log rather
 * than an encoded copy of it. If the log drops messages before the stream has read them, the
 * stream gets a `reset` in their place, never a silent gap.
 */
export class Opening {
  /** How reading the log ended: all of it sent, or a reset because the log moved past the stream. */
  outcome: 'resumed' | 'reset' | undefined;
  private head: string;
  private tail: string | undefined;
  private position: number;

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

  /** The next chunk (never empty while not done): about CHUNK_BYTES of the catch-up, with head and tail where they belong. */
  next(): string {
    let text = this.head;
    this.head = '';
    if (this.range && this.reading) text += this.read(this.range);
    if (!this.reading) {
      text += this.tail ?? '';
      this.tail = undefined;
    }
    return text;
  }

  private read(range: CatchUpRange): string {
    if (this.position < range.log.first) {
      this.position = range.end;
      this.outcome = 'reset';
      return encodeReset(range.last, 'the replay log dropped events before this stream read them');
    }
    let id: Cursor | undefined;
    const selection: Selection = { samples: [], meta: [] };
    let size = 0;
    while (this.position < range.end && size < CHUNK_BYTES) {
      const entry = range.log.at(this.position++);
      if (!entry) continue;
      id = entry.message.id;
      for (const s of entry.message.samples) {
        if (!range.matches(s.series)) continue;
        selection.samples.push(s);
        size += s.series.length + POINT_BYTES;
      }
      for (const m of entry.announced) {
        if (!range.matches(m.key)) continue;
        selection.meta.push(m);
        size += m.key.length + META_BYTES;
      }
    }
    if (!this.reading) this.outcome = 'resumed';
    return id === undefined ? '' : encodeSelection(id, selection).text;
  }
}
