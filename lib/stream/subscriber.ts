import type { Cursor } from '@/lib/bus';
import type { Group } from './groups';
import type { Opening } from './opening';

/** What a subscriber needs of the hub that owns it. */
export interface SubscriberOwner {
  readonly options: { maxQueueBytes: number; heartbeatMs: number; maxMatchWork?: number };
  /** Called once the subscriber's opening has sent the last of the replay log it had to. */
  caughtUp(subscriber: Subscriber, outcome: Opening['outcome']): void;
  /** Called once when the subscriber closes. */
  remove(subscriber: Subscriber, reason: CloseReason): void;
}

/** Why a stream ended: it went away (or the server ended it), it fell behind, or it was never read. */
export type CloseReason = 'closed' | 'slow' | 'unread';

/** Where a stream starts in the hub's order: batches and notices up to `seq` are not its own; `cursor` is the newest id then. */
interface StreamStart {
  seq: number;
  cursor: Cursor | null;
}

const encoder = new TextEncoder();

/**
 * One open event stream. Everything it is sent waits in its backlog and is handed to the reader
 * one chunk at a time, when the reader asks (or at once, when it is already waiting), so what a
 * stream holds is known exactly. `close()` is its single cleanup: reached from the request's
 * abort signal, the ReadableStream's `cancel()`, a failed enqueue, a full queue, a stream never
 * read and server shutdown.
 */
export class Subscriber {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;
  /** Until its opening is done, made chunk by chunk as the reader asks; then undefined. */
  private opening: Opening | undefined;
  /** Chunks waiting for the reader, in order (behind the opening, while there is one). */
  private backlog: Uint8Array[] = [];
  private backlogBytes = 0;
  /**
   * The chunk last handed to the reader, until it asks again: it asks only once it has written
   * the chunk out. Counted, though the stream's own queue never holds it: a 212 MB chunk taken by
   * a waiting read sat uncounted in a socket that was never drained.
   */
  private inFlight = 0;
  /** The reader asked and there was nothing to give: the next chunk sent goes to it at once. */
  private waiting = false;
  /** Until the reader first asks: a stream never read (a HEAD request, a client that never reads) is closed. */
  private idle: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.close();

  constructor(
    private readonly owner: SubscriberOwner,
    readonly group: Group,
    opening: Opening,
    private readonly signal: AbortSignal | undefined,
    /** The client address counted against the per-client cap, if any. */
    readonly client: string | undefined,
    readonly start: StreamStart,
  ) {
    this.opening = opening;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Still reading the replay log (counted against the catch-up cap). */
  get catchingUp(): boolean {
    return this.opening?.reading ?? false;
  }

  /** Takes the stream's controller; nothing is made until the reader asks for it. */
  attach(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    this.idle = setTimeout(() => this.close(new DOMException('stream never read: closed after 2 × HEARTBEAT_INTERVAL', 'AbortError'), 'unread'), 2 * this.owner.options.heartbeatMs);
    this.idle.unref?.();
  }

  /**
   * The reader wants more (with a zero high-water mark it asks only once it holds nothing): the
   * next piece of the opening, else the next chunk of the backlog. A promise when the opening's
   * matching budget ran out before it made anything: the stream asks again after it.
   */
  pull(): Promise<void> | undefined {
    if (this.closed || !this.controller) return undefined;
    clearTimeout(this.idle);
    this.inFlight = 0;
    const opening = this.opening;
    if (opening) {
      const reading = opening.reading;
      const text = opening.next(this.owner.options.maxMatchWork);
      if (opening.done) this.opening = undefined;
      if (reading && !opening.reading) this.owner.caughtUp(this, opening.outcome);
      if (text === '') return new Promise((resolve) => setImmediate(resolve));
      this.hand(encoder.encode(text));
      return undefined;
    }
    const next = this.backlog.shift();
    if (!next) {
      this.waiting = true;
      return undefined;
    }
    this.backlogBytes -= next.byteLength;
    this.hand(next);
    return undefined;
  }

  /** Bytes not yet written out: the chunk in the reader's hands, the backlog, and batches its group still matches. */
  get queued(): number {
    return this.closed ? 0 : this.inFlight + this.backlogBytes + this.group.queuedBytes;
  }

  /**
   * Queues one arrival (a batch's chunks, a ping); false when the stream is gone (and now cleaned
   * up). A stream still holding more than STREAM_MAX_QUEUE_BYTES of what came before is cut off
   * first: the cap bounds what a client leaves unread, so a batch larger than the cap reaches a
   * client that reads, and one that does not is cut at the next arrival (a ping at the latest).
   */
  send(chunks: readonly Uint8Array[]): boolean {
    if (this.closed || !this.controller || !this.checkCap()) return false;
    let i = 0;
    if (this.waiting && !this.opening && this.backlog.length === 0 && chunks.length > 0) this.hand(chunks[i++] as Uint8Array);
    for (; i < chunks.length; i++) {
      const chunk = chunks[i] as Uint8Array;
      this.backlog.push(chunk);
      this.backlogBytes += chunk.byteLength;
    }
    return !this.closed;
  }

  /**
   * Last words (a retry hint at shutdown), then closed: after what is queued (bounded by the cap),
   * or, for a stream still catching up, ahead of the catch-up's rest and what waits behind it
   * (it resumes from its last id).
   */
  end(bytes: Uint8Array): void {
    if (this.closed) return;
    const flushed = this.opening ? [] : this.backlog;
    this.opening = undefined;
    this.backlog = [];
    this.backlogBytes = 0;
    for (const chunk of flushed) this.hand(chunk);
    if (this.controller) this.hand(bytes);
    this.close();
  }

  /** Closes the stream as slow when what it holds is over STREAM_MAX_QUEUE_BYTES; false then. */
  checkCap(): boolean {
    if (this.queued > this.owner.options.maxQueueBytes) {
      // Drop the queue at once rather than flush it to a client that cannot keep up; it
      // reconnects after its retry delay and resumes from its last id.
      // AbortError: Next.js treats it as a client going away, not as a failed response.
      this.close(new DOMException('client too slow: queue over STREAM_MAX_QUEUE_BYTES', 'AbortError'));
      return false;
    }
    return !this.closed;
  }

  /** Gives the reader a chunk. */
  private hand(bytes: Uint8Array): void {
    try {
      this.controller?.enqueue(bytes);
    } catch {
      this.close();
      return;
    }
    this.inFlight = bytes.byteLength;
    this.waiting = false;
  }

  /** Ends the stream; with an error what it holds is dropped instead of flushed. */
  close(error?: Error, reason: CloseReason = error ? 'slow' : 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    this.owner.remove(this, reason);
    this.opening = undefined;
    this.backlog = [];
    this.backlogBytes = 0;
    this.signal?.removeEventListener('abort', this.onAbort);
    try {
      if (error) this.controller?.error(error);
      else this.controller?.close();
    } catch {
      // Already closed or errored by the runtime: nothing left to release.
    }
  }
}
