import type { BusMessage } from '@/lib/bus';
import type { Sample, SeriesFilter, SeriesMeta } from '@/lib/series';
import { encodeComment, encodeEvent, encodeRetry } from './sse';

export interface HubOptions {
  heartbeatMs: number;
  /** Base reconnection delay announced to clients; each stream gets it ±50 % so reconnects spread out. */
  retryMs: number;
  /** A stream whose unsent bytes exceed this is cut off; the client resumes from its last id. */
  maxQueueBytes: number;
  /**
   * Messages arriving within this many ms go out as one event per stream (0: each at once).
   * Fewer, larger writes: the per-chunk cost of the response pipeline dominates fan-out.
   */
  flushMs?: number;
}

interface Pending {
  id: string;
  samples: Sample[];
  meta: SeriesMeta[];
}

/** Counters the collector and `/api/health` read. */
export interface HubStats {
  opened: number;
  closed: number;
  eventsSent: number;
  bytesSent: number;
  slowDisconnects: number;
}

interface Group {
  filter: SeriesFilter;
  subscribers: Set<Subscriber>;
}

const encoder = new TextEncoder();
const PING = encoder.encode(encodeComment('ping'));

/** Jittered reconnection delay: base × [0.5, 1.5). */
export function jitter(baseMs: number): number {
  return Math.round(baseMs * (0.5 + Math.random()));
}

/**
 * One open event stream. `close()` is its single cleanup: reached from the request's abort
 * signal, the ReadableStream's `cancel()`, a failed enqueue, a full queue and server shutdown.
 */
class Subscriber {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private closed = false;
  private readonly onAbort = () => this.close();

  constructor(
    private readonly hub: Hub,
    readonly group: Group,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  attach(controller: ReadableStreamDefaultController<Uint8Array>, first: Uint8Array): void {
    this.controller = controller;
    this.send(first);
  }

  /** Bytes enqueued but not yet taken by the response. */
  get queued(): number {
    // desiredSize is -(queued bytes) with a zero high-water mark.
    return this.closed ? 0 : -(this.controller?.desiredSize ?? 0);
  }

  /** Queues bytes; false when the stream is gone (and now cleaned up). */
  send(bytes: Uint8Array): boolean {
    if (this.closed || !this.controller) return false;
    try {
      this.controller.enqueue(bytes);
    } catch {
      this.close();
      return false;
    }
    if (this.queued > this.hub.options.maxQueueBytes) {
      this.hub.stats.slowDisconnects++;
      this.close(new Error('client too slow: queue over STREAM_MAX_QUEUE_BYTES'));
      return false;
    }
    return true;
  }

  /** Ends the stream; with an error the queued bytes are dropped at once instead of flushed. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.hub.remove(this);
    try {
      if (error) this.controller?.error(error);
      else this.controller?.close();
    } catch {
      // Already closed or errored by the runtime: nothing left to release.
    }
  }
}

/** Fans bus messages out to open event streams, encoding each event once per distinct filter. */
export class Hub {
  private readonly groups = new Map<string, Group>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pending: Pending | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private count = 0;
  private draining = false;
  readonly stats: HubStats = { opened: 0, closed: 0, eventsSent: 0, bytesSent: 0, slowDisconnects: 0 };

  constructor(readonly options: HubOptions) {}

  /** Open streams right now. */
  get size(): number {
    return this.count;
  }

  /** Bytes queued across all open streams. */
  queuedBytes(): number {
    let total = 0;
    for (const group of this.groups.values()) for (const subscriber of group.subscribers) total += subscriber.queued;
    return total;
  }

  /** Opens a stream of events matching `filter`; it ends when `signal` aborts or the reader cancels. */
  open(filter: SeriesFilter, signal?: AbortSignal): ReadableStream<Uint8Array> {
    const hello = encoder.encode(encodeRetry(jitter(this.options.retryMs)));
    if (this.draining || signal?.aborted) {
      // Shutting down (or the client is already gone): say when to come back, and end.
      return new ReadableStream({
        start(controller) {
          controller.enqueue(hello);
          controller.close();
        },
      });
    }
    let group = this.groups.get(filter.id);
    if (!group) {
      group = { filter, subscribers: new Set() };
      this.groups.set(filter.id, group);
    }
    const subscriber = new Subscriber(this, group, signal);
    group.subscribers.add(subscriber);
    this.count++;
    this.stats.opened++;
    this.startHeartbeat();
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => subscriber.attach(controller, hello),
        cancel: () => subscriber.close(),
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  /**
   * Queues a bus message (and metadata of series it introduced) for every stream whose filter
   * matches; within one flush interval, messages coalesce into one event carrying the last id.
   */
  broadcast(message: BusMessage, announced: readonly SeriesMeta[]): void {
    if (this.count === 0) return;
    const pending = (this.pending ??= { id: message.id, samples: [], meta: [] });
    pending.id = message.id;
    for (const s of message.samples) pending.samples.push(s);
    for (const m of announced) pending.meta.push(m);
    if (!this.options.flushMs) return this.flush();
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.options.flushMs);
      this.flushTimer.unref?.();
    }
  }

  /** Encodes what is pending once per filter and hands the same bytes to every stream of that filter. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = undefined;
    if (!batch) return;
    for (const group of this.groups.values()) {
      const { filter } = group;
      const all = filter.id === '*';
      const meta = all ? batch.meta : batch.meta.filter((m) => filter.matches(m.key));
      const points: Sample[] = all ? batch.samples : batch.samples.filter((s) => filter.matches(s.series));
      let text = '';
      let events = 0;
      if (meta.length > 0) {
        text += encodeEvent({ event: 'series', data: JSON.stringify({ series: meta }) });
        events++;
      }
      if (points.length > 0) {
        text += encodeEvent({ event: 'points', id: batch.id, data: JSON.stringify({ points }) });
        events++;
      }
      if (events > 0) this.sendToGroup(group, text, events);
    }
  }

  /** Tells every stream to reconnect after a jittered delay, then ends it. Later opens are refused the same way. */
  drain(): void {
    this.flush();
    this.draining = true;
    for (const group of this.groups.values()) {
      for (const subscriber of group.subscribers) {
        subscriber.send(encoder.encode(encodeRetry(jitter(this.options.retryMs))));
        subscriber.close();
      }
    }
  }

  /** Called by a subscriber's cleanup. */
  remove(subscriber: Subscriber): void {
    const { group } = subscriber;
    if (!group.subscribers.delete(subscriber)) return;
    this.count--;
    this.stats.closed++;
    if (group.subscribers.size === 0) this.groups.delete(group.filter.id);
    if (this.count === 0) {
      this.stopHeartbeat();
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.pending = undefined;
    }
  }

  private sendToGroup(group: Group, text: string, events: number): void {
    const bytes = encoder.encode(text);
    for (const subscriber of group.subscribers) {
      if (subscriber.send(bytes)) {
        this.stats.eventsSent += events;
        this.stats.bytesSent += bytes.byteLength;
      }
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const group of this.groups.values()) for (const subscriber of group.subscribers) subscriber.send(PING);
    }, this.options.heartbeatMs);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
