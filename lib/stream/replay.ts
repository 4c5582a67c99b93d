import type { BusMessage, Cursor } from '@/lib/bus';
import type { Announced } from '@/lib/store';

export interface ReplayOptions {
  /** Most bytes (as encoded for a stream without a filter) the log holds; the oldest entries go first. */
  maxBytes: number;
  /** Entries older than this are dropped. */
  maxAgeMs: number;
  now?: () => number;
}

/** A logged message (its id and samples) and what it announced. */
export interface ReplayEntry {
  readonly message: Pick<BusMessage, 'id' | 'samples'>;
  readonly announced: Announced;
}

interface Entry extends ReplayEntry {
  at: number;
  bytes: number;
}

/**
 * Where a resuming stream starts reading: the position of the first message after its cursor
 * (the log's end when there is none), or word that the cursor is gone.
 */
export type ReplayStart = { kind: 'from'; position: number } | { kind: 'gone'; reason: 'cursor-too-old' | 'unknown-cursor' };

/**
 * The recent bus messages, bounded by bytes and age, so a reconnecting client gets exactly what
 * it missed. Messages arrive in cursor order; cursors are compared by their position here, so the
 * log works for any cursor format the bus hands out. Positions count messages since the log began
 * and never move: a stream reading the log lazily holds one, not copies of what it will send.
 */
export class ReplayLog {
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;
  private readonly index = new Map<Cursor, number>();
  private offset = 0; // sequence number of entries[0] since the log began
  private readonly now: () => number;

  constructor(private readonly options: ReplayOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Logs a message with what it announced and its encoded size (`bytes`, as the hub encoded it). */
  append(message: BusMessage, announced: Announced, bytes: number): void {
    const at = this.now();
    this.index.set(message.id, this.offset + this.entries.length);
    this.entries.push({ message: { id: message.id, samples: message.samples }, announced, at, bytes });
    this.bytes += bytes;
    this.evict(at);
  }

  /** Position of the oldest message held; anything before it is evicted. */
  get first(): number {
    return this.offset + this.head;
  }

  /** Position the next message will take. */
  get end(): number {
    return this.offset + this.entries.length;
  }

  /** Where to read from to get everything after `cursor`; `gone` when it is older than the log or was never in it. */
  start(cursor: Cursor, latest: Cursor | null): ReplayStart {
    this.evict(this.now());
    if (cursor === latest) return { kind: 'from', position: this.end };
    const position = this.index.get(cursor);
    if (position === undefined) {
      return { kind: 'gone', reason: this.size > 0 || latest !== null ? 'cursor-too-old' : 'unknown-cursor' };
    }
    return { kind: 'from', position: position + 1 };
  }

  /** The message at `position`; undefined once it is evicted or before it is appended. */
  at(position: number): ReplayEntry | undefined {
    return position < this.first ? undefined : this.entries[position - this.offset];
  }

  private evict(now: number): void {
    const horizon = now - this.options.maxAgeMs;
    while (this.head < this.entries.length) {
      const e = this.entries[this.head] as Entry;
      // Keep the newest entry whatever its size: its cursor is what a client resumes from.
      if (this.head === this.entries.length - 1 || (this.bytes <= this.options.maxBytes && e.at >= horizon)) break;
      this.index.delete(e.message.id);
      this.bytes -= e.bytes;
      this.head++;
    }
    // Compact now and then rather than shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.offset += this.head;
      this.head = 0;
    }
  }
}
