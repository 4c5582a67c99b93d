import type { Group } from './groups';
import type { Opening } from './opening';

/** What a subscriber needs of the hub that owns it. */
export interface SubscriberOwner {
  readonly options: { maxQueueBytes: number };
  /** Called once the subscriber's opening has sent the last of the replay log it had to. */
  caughtUp(subscriber: Subscriber, outcome: Opening['outcome']): void;
  /** Called once when the subscriber closes. */
  remove(subscriber: Subscriber, reason: 'closed' | 'slow'): void;
}

const encoder = new TextEncoder();

/**
 * One open event stream. `close()` is its single cleanup: reached from the request's abort
 * signal, the ReadableStream's `cancel()`, a failed enqueue, a full queue and server shutdown.
 */
export class Subscriber {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;
  /** Until its opening is done, made chunk by chunk as the reader asks; then undefined. */
  private opening: Opening | undefined;
  /** Live events waiting behind the opening, in order. */
  private backlog: Uint8Array[] = [];
  /** Their bytes: with what the stream has enqueued, this is what the queue cap counts. */
  private backlogBytes = 0;
  private readonly onAbort = () => this.close();

  constructor(
    private readonly owner: SubscriberOwner,
    readonly group: Group,
    opening: Opening,
    private readonly signal: AbortSignal | undefined,
    /** The client address counted against the per-client cap, if any. */
    readonly client?: string,
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
  }

  /** The reader wants more: the next piece of the opening, else the next live event waiting behind it. */
  pull(): void {
    if (this.closed || !this.controller) return;
    const opening = this.opening;
    if (opening) {
      const reading = opening.reading;
      const text = opening.next();
      if (opening.done) this.opening = undefined;
      if (reading && !opening.reading) this.owner.caughtUp(this, opening.outcome);
      // Handed over because the reader asked: one chunk in flight, whatever its size.
      this.enqueue(encoder.encode(text), false);
      return;
    }
    const next = this.backlog.shift();
    if (!next) return;
    this.backlogBytes -= next.byteLength;
    this.enqueue(next, false);
  }

  /** Bytes enqueued but not yet taken by the response, plus live events waiting behind the opening. */
  get queued(): number {
    // desiredSize is -(queued bytes) with a zero high-water mark.
    return this.closed ? 0 : -(this.controller?.desiredSize ?? 0) + this.backlogBytes;
  }

  /** Queues bytes; false when the stream is gone (and now cleaned up). */
  send(bytes: Uint8Array): boolean {
    if (this.closed || !this.controller) return false;
    if (this.opening || this.backlog.length > 0) {
      // Still opening (or handing out what waited behind it): live events queue up, in order.
      this.backlog.push(bytes);
      this.backlogBytes += bytes.byteLength;
      return this.checkCap();
    }
    return this.enqueue(bytes);
  }

  /** Last words (a retry hint at shutdown): sent at once, ahead of anything not yet made or queued, then closed. */
  end(bytes: Uint8Array): void {
    if (this.closed) return;
    this.opening = undefined;
    this.backlog = [];
    this.backlogBytes = 0;
    if (this.controller) this.enqueue(bytes, false);
    this.close();
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
    this.owner.remove(this, error ? 'slow' : 'closed');
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
