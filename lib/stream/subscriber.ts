import type { SeriesFilter } from '@/lib/series';

/** What a subscriber needs of the hub that owns it. */
export interface SubscriberOwner {
  readonly options: { maxQueueBytes: number };
  /** Called once when the subscriber closes. */
  remove(subscriber: Subscriber, reason: 'closed' | 'slow'): void;
}

/** Streams that share a filter, and so share encoded bytes. */
export interface Group {
  filter: SeriesFilter;
  subscribers: Set<Subscriber>;
}

/**
 * One open event stream. `close()` is its single cleanup: reached from the request's abort
 * signal, the ReadableStream's `cancel()`, a failed enqueue, a full queue and server shutdown.
 */
export class Subscriber {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;
  /** Chunks waiting for the reader: a replay larger than the queue cap goes out as it is read. */
  private backlog: Uint8Array[] = [];
  /** Bytes of live events queued behind the backlog; these count against the cap. */
  private liveBacklogBytes = 0;
  private readonly onAbort = () => this.close();

  constructor(
    private readonly owner: SubscriberOwner,
    readonly group: Group,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts the stream with `first` chunks (retry hint, replay, live marker), handed out as they are read. */
  attach(controller: ReadableStreamDefaultController<Uint8Array>, first: Uint8Array[]): void {
    this.controller = controller;
    this.backlog = first;
    this.pull();
  }

  /** The reader wants more: hand it the next backlog chunk, if any. */
  pull(): void {
    const next = this.backlog.shift();
    if (!next || this.closed || !this.controller) return;
    if (this.backlog.length === 0) this.liveBacklogBytes = 0;
    // Handed over because the reader asked: one chunk in flight, whatever its size.
    this.enqueue(next, false);
  }

  /** Bytes enqueued but not yet taken by the response. */
  get queued(): number {
    // desiredSize is -(queued bytes) with a zero high-water mark.
    return this.closed ? 0 : -(this.controller?.desiredSize ?? 0) + this.liveBacklogBytes;
  }

  /** Queues bytes; false when the stream is gone (and now cleaned up). */
  send(bytes: Uint8Array): boolean {
    if (this.closed || !this.controller) return false;
    if (this.backlog.length > 0) {
      // Still replaying: live events wait behind it, in order.
      this.backlog.push(bytes);
      this.liveBacklogBytes += bytes.byteLength;
      return this.checkCap();
    }
    return this.enqueue(bytes);
  }

  private enqueue(bytes: Uint8Array, capped = true): boolean {
    try {
      this.controller?.enqueue(bytes);
    } catch {
      this.close();
      return false;
    }
    return capped ? this.checkCap() : true;
  }

  private checkCap(): boolean {
    if (this.queued > this.owner.options.maxQueueBytes) {
      // Drop the queue at once rather than flush it to a client that cannot keep up; it
      // reconnects after its retry delay and resumes from its last id.
      // AbortError: Next.js treats it as a client going away, not as a failed response.
      this.close(new DOMException('client too slow: queue over STREAM_MAX_QUEUE_BYTES', 'AbortError'));
      return false;
    }
    return true;
  }

  /** Ends the stream; with an error the queued bytes are dropped instead of flushed. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.backlog = [];
    this.liveBacklogBytes = 0;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.owner.remove(this, error ? 'slow' : 'closed');
    try {
      if (error) this.controller?.error(error);
      else this.controller?.close();
    } catch {
      // Already closed or errored by the runtime: nothing left to release.
    }
  }
}
