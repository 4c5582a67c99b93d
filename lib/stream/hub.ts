import type { BusMessage, Cursor } from '@/lib/bus';
import type { SeriesFilter, SeriesMeta } from '@/lib/series';
import { encodeReset, encodeSelection, type Selection } from './encode';
import { FilterGroups, type Group } from './groups';
import { ClientCounts, StreamLimitError, type RefusalReason } from './limits';
import { Opening, type CatchUpRange } from './opening';
import { ReplayLog } from './replay';
import { encodeComment, encodeEvent, encodeRetry } from './sse';
import { Subscriber, type SubscriberOwner } from './subscriber';

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
  /** Most open streams; more are told to come back later. Unlimited when absent. */
  maxStreams?: number;
  /** Most streams one client address holds; more are refused with StreamLimitError. Unlimited when absent. */
  maxStreamsPerClient?: number;
  /** Most distinct filters open at once; a stream with a new one beyond it is refused with StreamLimitError. */
  maxFilters?: number;
  /** Most streams reading the replay log at once; more resuming streams are told to come back later. */
  maxCatchUps?: number;
  /** Series keys whose filter matches are remembered (default 100,000); past it the cache starts over. */
  matchCacheKeys?: number;
  /** Bounds of the log that reconnecting clients resume from. */
  replay?: { maxBytes: number; maxAgeMs: number };
}

/** Counters the collector, `/api/health` and `/api/metrics` read. */
export interface HubStats {
  opened: number;
  closed: number;
  eventsSent: number;
  bytesSent: number;
  slowDisconnects: number;
  /** Streams refused because MAX_STREAMS were open. */
  shed: number;
  /** Streams refused by the per-client, distinct-filter and catch-up caps. */
  refused: Record<RefusalReason, number>;
  /** Resumes that got everything they missed, and those told to refetch. */
  resumed: number;
  resets: number;
}

interface Batch extends Selection {
  id: Cursor;
}

/** Where a stream opens: its abort signal, the cursor it resumes after, the client address it counts against. */
export interface OpenOptions {
  signal?: AbortSignal;
  since?: Cursor;
  client?: string;
}

/**
 * What streams are told about the bus: sent as a `bus` event when it changes, and on connect
 * while it is not `up`, so a dashboard can say that data is delayed (Redis unreachable).
 */
export interface BusNotice {
  state: 'connecting' | 'up' | 'down' | 'closed';
  since?: number;
  message?: string;
}

const encoder = new TextEncoder();

/** Jittered reconnection delay: base × [0.5, 1.5). */
export function jitter(baseMs: number): number {
  return Math.round(baseMs * (0.5 + Math.random()));
}

/**
 * Fans bus messages out to open event streams: coalesced per flush interval, encoded once per
 * distinct filter, the same bytes enqueued to every stream of that filter. Keeps a replay log so
 * a client resuming from a cursor gets exactly what it missed, read from the log as it reads.
 */
export class Hub implements SubscriberOwner {
  private readonly groups: FilterGroups;
  private readonly clients: ClientCounts;
  private readonly catchingUp = new Set<Subscriber>();
  private readonly log: ReplayLog;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pending: Batch | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private count = 0;
  private draining = false;
  private latest: Cursor | null = null;
  private bus: BusNotice = { state: 'up' };
  readonly stats: HubStats = {
    opened: 0,
    closed: 0,
    eventsSent: 0,
    bytesSent: 0,
    slowDisconnects: 0,
    shed: 0,
    refused: { per_client: 0, filters: 0, catchups: 0 },
    resumed: 0,
    resets: 0,
  };

  constructor(readonly options: HubOptions) {
    this.log = new ReplayLog(options.replay ?? { maxBytes: 8 * 1024 * 1024, maxAgeMs: 5 * 60_000 });
    this.groups = new FilterGroups(options.matchCacheKeys ?? 100_000, options.maxFilters);
    this.clients = new ClientCounts(options.maxStreamsPerClient);
  }

  /** Open streams right now. */
  get size(): number {
    return this.count;
  }

  /** Distinct filters of the open streams. */
  get filters(): number {
    return this.groups.size;
  }

  /** Streams still sending what they missed from the replay log. */
  get catchUps(): number {
    return this.catchingUp.size;
  }

  /** Bytes held by the replay log. */
  get replayBytes(): number {
    return this.log.sizeBytes;
  }

  /** Bytes queued across all open streams. */
  queuedBytes(): number {
    let total = 0;
    for (const group of this.groups.values()) for (const subscriber of group.subscribers) total += subscriber.queued;
    return total;
  }

  /**
   * Opens a stream of events matching `filter`, ended by `signal` or the reader cancelling.
   * With `since`, it first carries every event after that cursor, or a `reset` event when the
   * cursor is no longer (or never was) in the replay log; then a `live` event. Throws
   * StreamLimitError past the per-client or distinct-filter cap; past MAX_STREAMS or the
   * catch-up cap the stream only says when to come back.
   */
  open(filter: SeriesFilter, { signal, since, client }: OpenOptions = {}): ReadableStream<Uint8Array> {
    const retry = encodeRetry(jitter(this.options.retryMs));
    if (this.draining || signal?.aborted) return this.refuse(retry);
    if (!this.clients.admits(client)) {
      this.stats.refused.per_client++;
      throw new StreamLimitError('per_client', this.clients.max, client);
    }
    if (!this.groups.admits(filter)) {
      this.stats.refused.filters++;
      throw new StreamLimitError('filters', this.options.maxFilters ?? Infinity);
    }
    if (this.options.maxStreams !== undefined && this.count >= this.options.maxStreams) {
      this.stats.shed++;
      return this.refuse(retry);
    }
    // Whatever is pending goes to the streams already open; this one gets it from the log.
    this.flush();
    const start = since !== undefined ? this.log.start(since, this.latest) : undefined;
    const resuming = start?.kind === 'from' && start.position < this.log.end;
    if (resuming && this.options.maxCatchUps !== undefined && this.catchingUp.size >= this.options.maxCatchUps) {
      // It comes back with the same Last-Event-ID, so nothing is lost by waiting.
      this.stats.refused.catchups++;
      return this.refuse(retry);
    }
    const group = this.groups.join(filter);
    let head = retry;
    if (start?.kind === 'gone') {
      this.stats.resets++;
      head += encodeReset(this.latest, 'cursor not in the replay log');
    }
    const range: CatchUpRange | undefined = resuming
      ? { log: this.log, from: start.position, end: this.log.end, last: this.latest, matches: (key) => this.groups.matches(group, key) }
      : undefined;
    const subscriber = new Subscriber(this, group, new Opening(head, this.tail(), range), signal, client);
    group.subscribers.add(subscriber);
    if (subscriber.catchingUp) this.catchingUp.add(subscriber);
    this.clients.add(client);
    this.count++;
    this.stats.opened++;
    this.startHeartbeat();
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => subscriber.attach(controller),
        pull: () => subscriber.pull(),
        cancel: () => subscriber.close(),
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  /**
   * Records a bus message (and metadata of series it introduced) in the replay log and queues it
   * for open streams; messages within one flush interval coalesce into one event with the last id.
   */
  broadcast(message: BusMessage, announced: readonly SeriesMeta[]): void {
    this.log.append(message, announced);
    this.latest = message.id;
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

  /** Tells every open stream (and later ones, while not `up`) the bus's state, when it changes. */
  setBusState(notice: BusNotice): void {
    if (notice.state === this.bus.state) return;
    this.bus = notice;
    this.flush();
    const bytes = encoder.encode(encodeEvent({ event: 'bus', data: JSON.stringify(notice) }));
    for (const group of this.groups.values()) this.sendToGroup(group, bytes, 1);
  }

  /** Encodes what is pending once per filter and hands the same bytes to every stream of that filter. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = undefined;
    if (!batch) return;
    for (const [group, s] of this.groups.select(batch)) {
      const { text, events } = encodeSelection(batch.id, s);
      if (events > 0) this.sendToGroup(group, encoder.encode(text), events);
    }
  }

  /**
   * Tells every stream to reconnect after a random delay within `windowMs` (so they arrive at the
   * next instance spread out, not all at once), then ends them. Later opens are refused the same way.
   */
  drain(windowMs = this.options.retryMs): void {
    this.flush();
    this.draining = true;
    for (const group of this.groups.values()) {
      for (const subscriber of group.subscribers) subscriber.end(encoder.encode(encodeRetry(Math.round(250 + Math.random() * windowMs))));
    }
  }

  /** Called by a subscriber once it has read what it had to of the replay log. */
  caughtUp(subscriber: Subscriber, outcome: 'resumed' | 'reset' | undefined): void {
    if (!this.catchingUp.delete(subscriber)) return;
    if (outcome === 'resumed') this.stats.resumed++;
    if (outcome === 'reset') this.stats.resets++;
  }

  /** Called by a subscriber's cleanup. */
  remove(subscriber: Subscriber, reason: 'closed' | 'slow'): void {
    const { group } = subscriber;
    if (!group.subscribers.delete(subscriber)) return;
    this.catchingUp.delete(subscriber);
    this.clients.delete(subscriber.client);
    this.count--;
    this.stats.closed++;
    if (reason === 'slow') this.stats.slowDisconnects++;
    this.groups.release(group);
    if (this.count === 0) {
      this.stopHeartbeat();
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.pending = undefined;
    }
  }

  /** `live` marks the end of any catch-up (from here on the stream carries new events), then the bus's state while it is not up. */
  private tail(): string {
    const live = encodeEvent({ event: 'live', data: JSON.stringify({ cursor: this.latest }) });
    return this.bus.state !== 'up' ? live + encodeEvent({ event: 'bus', data: JSON.stringify(this.bus) }) : live;
  }

  /** A stream that only says when to come back. */
  private refuse(retry: string): ReadableStream<Uint8Array> {
    const bytes = encoder.encode(retry);
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  private sendToGroup(group: Group, bytes: Uint8Array, events: number): void {
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
      // After a flush every stream has everything up to `latest`, so the ping carries that id:
      // a client whose filter matched nothing lately still resumes from a recent cursor.
      this.flush();
      const ping = encoder.encode(encodeComment('ping') + (this.latest !== null ? `id: ${this.latest}\n\n` : ''));
      for (const group of this.groups.values()) for (const subscriber of group.subscribers) subscriber.send(ping);
    }, this.options.heartbeatMs);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
