import type { BusMessage, Cursor } from '@/lib/bus';
import type { Sample, SeriesFilter, SeriesMeta } from '@/lib/series';
import { ReplayLog } from './replay';
import { encodeComment, encodeEvent, encodeRetry } from './sse';
import { Subscriber, type Group, type SubscriberOwner } from './subscriber';

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
  /** Resumes that got everything they missed, and those told to refetch. */
  resumed: number;
  resets: number;
}

interface Batch {
  id: Cursor;
  samples: Sample[];
  meta: SeriesMeta[];
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
// Large replays go out in several events of about this size, each handed over as it is read.
const REPLAY_EVENT_BYTES = 64 * 1024;

/** Jittered reconnection delay: base × [0.5, 1.5). */
export function jitter(baseMs: number): number {
  return Math.round(baseMs * (0.5 + Math.random()));
}

/** Joins adjacent texts into chunks of up to REPLAY_EVENT_BYTES (one chunk when there is no replay). */
function coalesce(texts: string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    const last = out.length - 1;
    if (last >= 0 && (out[last] as string).length + t.length <= REPLAY_EVENT_BYTES) out[last] += t;
    else out.push(t);
  }
  return out;
}

/** The `points` (and `series`) events of one batch as seen through `filter`, or '' when none match. */
function encodeBatch(batch: Batch, filter: SeriesFilter): { text: string; events: number } {
  const all = filter.id === '*';
  const meta = all ? batch.meta : batch.meta.filter((m) => filter.matches(m.key));
  const points = all ? batch.samples : batch.samples.filter((s) => filter.matches(s.series));
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
  return { text, events };
}

/**
 * Fans bus messages out to open event streams: coalesced per flush interval, encoded once per
 * distinct filter, the same bytes enqueued to every stream of that filter. Keeps a replay log so
 * a client resuming from a cursor gets exactly what it missed.
 */
export class Hub implements SubscriberOwner {
  private readonly groups = new Map<string, Group>();
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
    resumed: 0,
    resets: 0,
  };

  constructor(readonly options: HubOptions) {
    this.log = new ReplayLog(options.replay ?? { maxBytes: 8 * 1024 * 1024, maxAgeMs: 5 * 60_000 });
  }

  /** Open streams right now. */
  get size(): number {
    return this.count;
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
   * cursor is no longer (or never was) in the replay log; then a `live` event.
   */
  open(filter: SeriesFilter, signal?: AbortSignal, since?: Cursor): ReadableStream<Uint8Array> {
    const retry = encodeRetry(jitter(this.options.retryMs));
    if (this.draining || signal?.aborted) return this.refuse(retry);
    if (this.options.maxStreams !== undefined && this.count >= this.options.maxStreams) {
      this.stats.shed++;
      return this.refuse(retry);
    }
    // Whatever is pending goes to the streams already open; this one gets it from the log.
    this.flush();
    // `live` marks the end of any catch-up: from here on the stream carries new events.
    const live = encodeEvent({ event: 'live', data: JSON.stringify({ cursor: this.latest }) });
    const notice = this.bus.state !== 'up' ? [encodeEvent({ event: 'bus', data: JSON.stringify(this.bus) })] : [];
    const first = coalesce([retry, ...(since !== undefined ? this.resume(filter, since) : []), live, ...notice]).map((t) => encoder.encode(t));
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
        start: (controller) => subscriber.attach(controller, first),
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
    for (const group of this.groups.values()) {
      const { text, events } = encodeBatch(batch, group.filter);
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
      for (const subscriber of group.subscribers) {
        subscriber.send(encoder.encode(encodeRetry(Math.round(250 + Math.random() * windowMs))));
        subscriber.close();
      }
    }
  }

  /** Called by a subscriber's cleanup. */
  remove(subscriber: Subscriber, reason: 'closed' | 'slow'): void {
    const { group } = subscriber;
    if (!group.subscribers.delete(subscriber)) return;
    this.count--;
    this.stats.closed++;
    if (reason === 'slow') this.stats.slowDisconnects++;
    if (group.subscribers.size === 0) this.groups.delete(group.filter.id);
    if (this.count === 0) {
      this.stopHeartbeat();
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.pending = undefined;
    }
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

  /** The events after `since` for `filter` in chunks of about 64 KB, or a `reset` event telling the client to refetch. */
  private resume(filter: SeriesFilter, since: Cursor): string[] {
    const result = this.log.since(since, this.latest);
    if (result.kind === 'gone') {
      this.stats.resets++;
      return [
        encodeEvent({
          event: 'reset',
          ...(this.latest !== null && { id: this.latest }),
          data: JSON.stringify({ reason: 'cursor not in the replay log: refetch history', cursor: this.latest }),
        }),
      ];
    }
    this.stats.resumed++;
    const chunks: string[] = [];
    let batch: Batch | undefined;
    let size = 0;
    for (const { message, announced } of result.entries) {
      batch ??= { id: message.id, samples: [], meta: [] };
      batch.id = message.id;
      for (const s of message.samples) {
        if (!filter.matches(s.series)) continue;
        batch.samples.push(s);
        size += s.series.length + 40;
      }
      for (const m of announced) batch.meta.push(m);
      if (size >= REPLAY_EVENT_BYTES) {
        chunks.push(encodeBatch(batch, filter).text);
        batch = undefined;
        size = 0;
      }
    }
    if (batch) chunks.push(encodeBatch(batch, filter).text);
    return chunks.filter((c) => c !== '');
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
