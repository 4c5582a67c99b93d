import type { BusMessage, Cursor } from '@/lib/bus';
import type { MetricMeta } from '@/lib/schema';
import type { SeriesFilter } from '@/lib/series';
import type { Announced } from '@/lib/store';
import { encodeData, type BusNotice } from '@/lib/wire';
import { ItemText, chunks, encodeReset, pieces, type Selection } from './encode';
import { Fanout, type Batch, type Notice } from './fanout';
import { FilterGroups, type Group } from './groups';
import { ClientCounts, StreamLimitError, type RefusalReason } from './limits';
import { Opening, type CatchUpRange } from './opening';
import { ReplayLog } from './replay';
import { encodeComment, encodeEvent, encodeRetry } from './sse';
import { Subscriber, type CloseReason, type SubscriberOwner } from './subscriber';

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
  /**
   * QUERY_MAX_WORK: matching steps a flush (and each later turn) may spend on (filter, key) pairs
   * not cached, and a catch-up on one chunk; unlimited when absent.
   */
  maxMatchWork?: number;
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
  /** Streams closed because they were never read within 2 × the heartbeat interval (a HEAD request, say). */
  neverRead: number;
  /** Streams refused because MAX_STREAMS were open. */
  shed: number;
  /** Streams refused by the per-client, distinct-filter and catch-up caps. */
  refused: Record<RefusalReason, number>;
  /** Resumes that got everything they missed, and those told to refetch. */
  resumed: number;
  resets: number;
}

/** Messages waiting for the next flush. */
interface Pending {
  /** Each, for the replay log (which takes them encoded, at the flush). */
  messages: Array<{ message: BusMessage; announced: Announced }>;
  id: Cursor;
  samples: Selection['samples'];
  series: Selection['series'];
  /** The last description of each name. */
  metrics: Map<string, MetricMeta>;
}

/** Where a stream opens: its abort signal, the cursor it resumes after, the client address it counts against. */
export interface OpenOptions {
  signal?: AbortSignal;
  since?: Cursor;
  client?: string;
  /** Called once when the stream ends, however it ends (refused at once, closed by either side). */
  onClose?: () => void;
}

const encoder = new TextEncoder();

/** Jittered reconnection delay: base × [0.5, 1.5). */
export function jitter(baseMs: number): number {
  return Math.round(baseMs * (0.5 + Math.random()));
}

/**
 * Fans bus messages out to open event streams: coalesced per flush interval, encoded once per
 * distinct filter in pieces of bounded size, the same bytes enqueued to every stream of that
 * filter; matching new (filter, key) pairs is spread over turns (see Fanout). Keeps a replay log
 * so a client resuming from a cursor gets exactly what it missed, read from the log as it reads.
 */
export class Hub implements SubscriberOwner {
  private readonly groups: FilterGroups;
  private readonly fanout: Fanout;
  private readonly clients: ClientCounts;
  private readonly catchingUp = new Set<Subscriber>();
  private readonly closing = new Map<Subscriber, () => void>();
  private readonly log: ReplayLog;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pending: Pending | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private count = 0;
  private draining = false;
  private latest: Cursor | null = null;
  /** Order of the batches and notices handed out; a stream opened at `seq` gets only what comes after. */
  private seq = 0;
  private bus: BusNotice = { state: 'up' };
  readonly stats: HubStats = {
    opened: 0,
    closed: 0,
    eventsSent: 0,
    bytesSent: 0,
    slowDisconnects: 0,
    neverRead: 0,
    shed: 0,
    refused: { per_client: 0, filters: 0, catchups: 0 },
    resumed: 0,
    resets: 0,
  };

  constructor(readonly options: HubOptions) {
    this.log = new ReplayLog(options.replay ?? { maxBytes: 8 * 1024 * 1024, maxAgeMs: 5 * 60_000 });
    this.groups = new FilterGroups(options.matchCacheKeys ?? 100_000, options.maxFilters);
    this.clients = new ClientCounts(options.maxStreamsPerClient);
    this.fanout = new Fanout({
      groups: this.groups,
      maxWork: options.maxMatchWork ?? Infinity,
      deliver: (group, batch, selection) => this.deliver(group, batch, selection),
      notify: (group, notice) => this.sendToGroup(group, notice.seq, [notice.bytes], notice.events),
      charged: (group) => {
        for (const subscriber of group.subscribers) subscriber.checkCap();
      },
    });
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

  /** Filters whose matching of new series is still going on, their batches held back. */
  get deferred(): number {
    return this.fanout.behind;
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
  open(filter: SeriesFilter, { signal, since, client, onClose }: OpenOptions = {}): ReadableStream<Uint8Array> {
    const retry = encodeRetry(jitter(this.options.retryMs));
    if (this.draining || signal?.aborted) return this.refuse(retry, onClose);
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
      return this.refuse(retry, onClose);
    }
    // Whatever is pending goes to the streams already open; this one gets it from the log.
    this.flush();
    const start = since !== undefined ? this.log.start(since, this.latest) : undefined;
    const resuming = start?.kind === 'from' && start.position < this.log.end;
    if (resuming && this.options.maxCatchUps !== undefined && this.catchingUp.size >= this.options.maxCatchUps) {
      // It comes back with the same Last-Event-ID, so nothing is lost by waiting.
      this.stats.refused.catchups++;
      return this.refuse(retry, onClose);
    }
    const from = { seq: this.seq, cursor: this.latest };
    const group = this.groups.join(filter, from);
    let head = retry;
    if (start?.kind === 'gone') {
      this.stats.resets++;
      head += encodeReset(this.latest, 'cursor not in the replay log');
    }
    const range: CatchUpRange | undefined = resuming
      ? {
          log: this.log,
          from: start.position,
          end: this.log.end,
          last: this.latest,
          matches: (key) => this.groups.check(group, key),
          cost: (key) => (this.groups.known(group, key) ? 0 : group.filter.cost * key.length),
        }
      : undefined;
    const subscriber = new Subscriber(this, group, new Opening(head, this.tail(), range), signal, client, from);
    group.subscribers.add(subscriber);
    if (onClose) this.closing.set(subscriber, onClose);
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
   * Queues a bus message (and what it announced) for the replay log and open streams; messages
   * within one flush interval coalesce into one batch with the last id. Encoding waits for the
   * flush, so that a large request's handler does not do it too.
   */
  broadcast(message: BusMessage, announced: Announced): void {
    this.latest = message.id;
    this.pending ??= { messages: [], id: message.id, samples: [], series: [], metrics: new Map() } satisfies Pending;
    const { pending } = this;
    pending.messages.push({ message, announced });
    pending.id = message.id;
    for (const s of message.samples) pending.samples.push(s);
    for (const k of announced.series) pending.series.push(k);
    for (const m of announced.metrics) {
      // A later description of a name replaces the earlier one, in its place at the end.
      pending.metrics.delete(m.name);
      pending.metrics.set(m.name, m);
    }
    if (!this.options.flushMs) return this.flush();
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.options.flushMs);
      this.flushTimer.unref?.();
    }
  }

  /** Tells every open stream (and later ones, while not `up`) the bus's state, when it changes. */
  setBusState(notice: BusNotice): void {
    if (notice.state === this.bus.state && notice.storage === this.bus.storage) return;
    this.bus = notice;
    this.flush();
    const bytes = encoder.encode(encodeEvent({ event: 'bus', data: encodeData('bus', notice) }));
    const item: Notice = { seq: ++this.seq, bytes, events: 1 };
    this.fanout.notify(item);
  }

  /** Logs what is pending, each message at its encoded size, and hands it to every filter group (see Fanout), in order. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    const items = new ItemText();
    let bytes = 0;
    for (const { message, announced } of pending.messages) {
      const size = items.bytesOf({ metrics: announced.metrics, series: announced.series, samples: message.samples });
      this.log.append(message, announced, size);
      bytes += size;
    }
    if (this.groups.size === 0) return;
    const { id, samples, series, metrics } = pending;
    const batch: Batch = { id, seq: ++this.seq, samples, series, metrics: [...metrics.values()], bytes, items };
    this.fanout.flush(batch);
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
  remove(subscriber: Subscriber, reason: CloseReason): void {
    const { group } = subscriber;
    if (!group.subscribers.delete(subscriber)) return;
    this.catchingUp.delete(subscriber);
    this.clients.delete(subscriber.client);
    this.count--;
    this.stats.closed++;
    if (reason === 'slow') this.stats.slowDisconnects++;
    if (reason === 'unread') this.stats.neverRead++;
    this.groups.release(group);
    if (this.count === 0) this.stopHeartbeat();
    const onClose = this.closing.get(subscriber);
    if (onClose) {
      this.closing.delete(subscriber);
      onClose();
    }
  }

  /** `live` marks the end of any catch-up (from here on the stream carries new events), then the bus's state while it is not up. */
  private tail(): string {
    const live = encodeEvent({ event: 'live', data: encodeData('live', { cursor: this.latest }) });
    return this.bus.state !== 'up' || this.bus.storage ? live + encodeEvent({ event: 'bus', data: encodeData('bus', this.bus) }) : live;
  }

  /** A stream that only says when to come back. */
  private refuse(retry: string, onClose?: () => void): ReadableStream<Uint8Array> {
    onClose?.();
    const bytes = encoder.encode(retry);
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  /** A group's part of a batch, encoded once in chunks of bounded size, to each of its streams. */
  private deliver(group: Group, batch: Batch, selection: Selection): void {
    const encoded: Uint8Array[] = [];
    let events = 0;
    for (const chunk of chunks(pieces(selection, { id: batch.id, last: true }, batch.items))) {
      encoded.push(encoder.encode(chunk.text));
      events += chunk.events;
    }
    this.sendToGroup(group, batch.seq, encoded, events);
  }

  /** Bytes to each stream of `group` that was open before `seq` (one opened since has it from the log, or starts after it). */
  private sendToGroup(group: Group, seq: number, encoded: readonly Uint8Array[], events: number): void {
    let bytes = 0;
    for (const chunk of encoded) bytes += chunk.byteLength;
    for (const subscriber of group.subscribers) {
      if (subscriber.start.seq >= seq || !subscriber.send(encoded)) continue;
      this.stats.bytesSent += bytes;
      this.stats.eventsSent += events;
    }
  }

  /**
   * The cursor a ping tells `subscriber`: the newest, unless its group still holds batches back;
   * then the last batch the group was given, or, if the stream opened after that, where it began.
   */
  private pingCursor(group: Group, subscriber: Subscriber): Cursor | null {
    if (group.queue.length === 0) return this.latest;
    return group.done.seq > subscriber.start.seq ? group.done.cursor : subscriber.start.cursor;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      // After a flush every stream has everything up to its ping's cursor, so the ping carries it:
      // a client whose filter matched nothing lately still resumes from a recent cursor.
      this.flush();
      const pings = new Map<Cursor | null, Uint8Array>();
      for (const group of this.groups.values()) {
        for (const subscriber of group.subscribers) {
          const cursor = this.pingCursor(group, subscriber);
          let ping = pings.get(cursor);
          if (!ping) pings.set(cursor, (ping = encoder.encode(encodeComment('ping') + (cursor !== null ? `id: ${cursor}\n\n` : ''))));
          subscriber.send([ping]);
        }
      }
    }, this.options.heartbeatMs);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
