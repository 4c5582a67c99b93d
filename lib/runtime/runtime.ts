import 'server-only';
import { join } from 'node:path';
import { BusUnavailableError, MemoryBus, type Batch, type Bus, type Cursor } from '@/lib/bus';
import { RedisBus } from '@/lib/bus/redis';
import { startCollector, type Collector } from '@/lib/collector';
import { loadEnv, type Env } from '@/lib/env';
import { pointLimits } from '@/lib/points';
import type { MetricMeta, Sample } from '@/lib/schema';
import { Engine } from '@/lib/storage';
import { Store } from '@/lib/store';
import { Hub } from '@/lib/stream';
import { LocalLeases, RedisLeases, type Leases } from '@/lib/bus/lease';
import { loadTargets, Scraper } from '@/lib/scrape';
import { AlertEvaluator } from '@/lib/alerts';

/** Running totals for `/api/metrics` and the collector. */
export interface Counters {
  /** Points delivered by the bus, from any source. */
  pointsPublished: number;
  ingestRequests: number;
  ingestPoints: number;
  /** Refused ingest requests by reason (`invalid`, `too_large`, ...). */
  ingestRejected: Record<string, number>;
}

/** The process-wide parts every route handler and the instrumentation hook share. */
export interface Runtime {
  readonly env: Env;
  readonly bus: Bus;
  readonly store: Store;
  readonly hub: Hub;
  /** The durable store under DATA_DIR; null with DATA_DIR=none. */
  readonly storage: Engine | null;
  readonly startedAt: number;
  readonly counters: Counters;
  /** True once shutdown has begun: no new streams or ingest. */
  readonly stopping: boolean;
  publish(batch: Batch): Promise<Cursor>;
  /**
   * Points of a recent message the store did not keep although ingest had checked them: with
   * several instances, a concurrent write of the same series through another instance can reach
   * the shared stream first (out of order), or take the last places under MAX_SERIES.
   */
  refusedIn(cursor: Cursor): Refused | undefined;
  /** Scrapes SCRAPE_TARGETS and SCRAPE_FILE's targets; null when there are none. */
  readonly scraper: Scraper | null;
  /** Evaluates ALERTS_FILE's rules (with Redis, one instance at a time) and notifies. */
  readonly alerts: AlertEvaluator;
  /** Drains streams and stops the collector and bus; idempotent. */
  shutdown(): Promise<void>;
}

// Route handlers and instrumentation.ts are separate module graphs, and `next dev` re-evaluates
// modules on every edit: only globalThis is shared by all of them, so the runtime lives there.
const KEY = Symbol.for('pulseboard.runtime');
// How often the bus's state is checked for streams to hear about.
const BUS_WATCH_MS = 500;
// How far the cursor sequence jumps after an unclean stop: more messages than any FSYNC_INTERVAL holds.
const UNCLEAN_SEQ_GAP = 1_000_000;
// Recent messages whose refused points ingest may still ask about.
const REFUSED_REMEMBERED = 1024;
type Holder = { [KEY]?: Runtime };
/** Points of one message the store refused, by reason. */
type Refused = { outOfOrder: number; seriesCap: number; reserved: number };

/** The one runtime of this process, created (and its collector started) on first use. */
export function getRuntime(): Runtime {
  const holder = globalThis as Holder;
  holder[KEY] ??= createRuntime(loadEnv());
  return holder[KEY];
}

/** The embedded bus (continuing the cursors kept on disk), or with REDIS_URL the Redis Stream shared by every instance. */
function createBus(env: Env, storage: Engine | null): Bus {
  if (!env.REDIS_URL) {
    if (!storage) return new MemoryBus();
    const last = storage.cursor;
    const prefix = `${storage.epoch}-`;
    const seq = last?.startsWith(prefix) ? Number(last.slice(prefix.length)) : 0;
    // After a crash the log's last FSYNC_INTERVAL may be gone (a power loss): ids handed out in it
    // must not be handed out again, so the sequence jumps ahead; a client holding one gets `reset`.
    const gap = storage.cleanStop ? 0 : UNCLEAN_SEQ_GAP;
    return new MemoryBus(storage.epoch, (Number.isSafeInteger(seq) ? seq : 0) + gap);
  }
  return new RedisBus({
    url: env.REDIS_URL,
    streamKey: env.REDIS_STREAM_KEY,
    maxLen: env.REDIS_STREAM_MAXLEN,
    outboxMaxBytes: env.REDIS_OUTBOX_MAX_BYTES,
    reconnectMaxMs: env.REDIS_RECONNECT_MAX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT,
    warmWindowMs: env.HISTORY_RETENTION,
    readAfter: storage?.cursor,
    source: env.INSTANCE,
    limits: pointLimits(env),
  });
}

/** Old samples whose series either tier holds, or new ones while the store knows fewer than `max` series. */
function withinSeriesCap(old: readonly Sample[], store: Store, storage: Engine, max: number): Sample[] {
  const fresh = new Set<string>();
  return old.filter((s) => {
    if (store.has(s.series) || storage.has(s.series) || fresh.has(s.series)) return true;
    if (storage.size + fresh.size >= max) return false;
    fresh.add(s.series);
    return true;
  });
}

/** The samples kept for the hot tier or for disk, in the message's order (a series' points stay in time order). */
function inOrder<T>(all: readonly T[], kept: readonly T[], archived: readonly T[]): T[] {
  const chosen = new Set([...kept, ...archived]);
  return all.filter((s) => chosen.has(s));
}

/** Opens DATA_DIR (see lib/storage); null with DATA_DIR=none. */
function openStorage(env: Env): { storage: Engine | null; recovered: ReturnType<Engine['open']> } {
  if (env.DATA_DIR === 'none') return { storage: null, recovered: [] };
  const storage = new Engine({
    dir: env.DATA_DIR,
    fsyncIntervalMs: env.FSYNC_INTERVAL,
    retentionRawMs: env.RETENTION_RAW,
    retention1mMs: env.RETENTION_1M,
    retention1hMs: env.RETENTION_1H,
    maxBytes: env.DATA_MAX_BYTES,
    keepLogMs: env.REPLAY_WINDOW,
    replayMaxBytes: env.REPLAY_MAX_BYTES,
    checkpointMs: env.CHECKPOINT_INTERVAL,
  });
  return { storage, recovered: storage.open() };
}

/** Leases for work one instance does at a time: in Redis with REDIS_URL, all this process's otherwise. */
function createLeases(env: Env): Leases {
  return env.REDIS_URL
    ? new RedisLeases({ url: env.REDIS_URL, prefix: env.REDIS_STREAM_KEY, me: env.INSTANCE, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT, reconnectMaxMs: env.REDIS_RECONNECT_MAX })
    : new LocalLeases(env.INSTANCE);
}

/** The scraper of the configured targets (with Redis, each target scraped by one instance at a time); null without targets. */
function createScraper(env: Env, deps: ConstructorParameters<typeof Scraper>[1], leases: Leases): Scraper | null {
  const targets = loadTargets(env.SCRAPE_TARGETS, env.SCRAPE_FILE, {
    intervalMs: env.SCRAPE_INTERVAL,
    timeoutMs: env.SCRAPE_TIMEOUT,
    maxSamples: env.SCRAPE_MAX_SAMPLES,
    maxBodyBytes: env.SCRAPE_MAX_BODY_BYTES,
  });
  if (targets.length === 0) return null;
  console.log(`[pulseboard] scraping ${targets.length} target(s): ${targets.slice(0, 5).map((t) => `${t.job}=${t.instance}`).join(', ')}${targets.length > 5 ? ', …' : ''}${env.REDIS_URL ? ' (with Redis, one instance at a time each)' : ''}`);
  return new Scraper(targets, deps, leases);
}

function createRuntime(env: Env): Runtime {
  const opened = Date.now();
  const { storage, recovered } = openStorage(env);
  const bus = createBus(env, storage);
  const store = new Store({
    retentionMs: env.HISTORY_RETENTION,
    maxPointsPerSeries: env.HISTORY_MAX_POINTS,
    maxSeries: env.MAX_SERIES,
  });
  const hub = new Hub({
    heartbeatMs: env.HEARTBEAT_INTERVAL,
    retryMs: env.STREAM_RETRY,
    maxQueueBytes: env.STREAM_MAX_QUEUE_BYTES,
    flushMs: env.STREAM_FLUSH_INTERVAL,
    maxStreams: env.MAX_STREAMS,
    maxStreamsPerClient: env.MAX_STREAMS_PER_CLIENT,
    maxFilters: env.STREAM_MAX_FILTERS,
    maxCatchUps: env.STREAM_MAX_CATCHUPS,
    // Room for every series the store may hold, and for as many again as series come and go.
    matchCacheKeys: 2 * env.MAX_SERIES,
    maxMatchWork: env.QUERY_MAX_WORK,
    replay: { maxBytes: env.REPLAY_MAX_BYTES, maxAgeMs: env.REPLAY_WINDOW },
  });
  const counters: Counters = { pointsPublished: 0, ingestRequests: 0, ingestPoints: 0, ingestRejected: {} };

  if (storage) {
    // The hot tier back from disk, then what the log holds after the last checkpoint; messages
    // before it go to the replay log only, so streams open across the restart resume.
    const metrics = new Map<string, MetricMeta>(storage.storedMetrics().map((m) => [m.name, m]));
    storage.scanRecent(
      Date.now() - env.HISTORY_RETENTION,
      (key, t, v) => store.restore(key, t, v, metrics),
      (counts) => store.reserve(counts, metrics),
    );
    let points = 0;
    for (const r of recovered) {
      const message = { id: r.cursor, samples: r.samples, ...(r.metrics.length > 0 && { metrics: r.metrics }), ...(r.collector && { origin: 'collector' as const }) };
      if (r.checkpointed) {
        hub.broadcast(message, { series: [], metrics: [] });
        continue;
      }
      const { announced, kept } = store.keep(message);
      storage.replay(r);
      points += r.samples.length;
      hub.broadcast(kept === message.samples ? message : { ...message, samples: kept }, announced);
    }
    store.cursor = storage.cursor;
    console.log(`[pulseboard] storage: ${env.DATA_DIR}: ${store.size} series back, ${points} points replayed from the log, in ${Date.now() - opened} ms`);
  }

  // Store first, then streams: a page rendered between the two already has the points
  // its cursor claims, so nothing is shown twice or missed.
  const refused = new Map<Cursor, Refused>();
  bus.subscribe((message) => {
    counters.pointsPublished += message.samples.length;
    // Plain numbers, not a copy of the counters: this runs for every message.
    const outOfOrderBefore = store.dropped.outOfOrder;
    const seriesCapBefore = store.dropped.seriesCap;
    const reservedBefore = store.dropped.reserved;
    const { announced, kept, archived: old } = store.keep(message);
    // Points only for disk: a series new to both tiers counts against MAX_SERIES there.
    const archived = storage && old.length > 0 ? withinSeriesCap(old, store, storage, env.MAX_SERIES) : [];
    store.dropped.seriesCap += old.length - archived.length;
    storage?.write(message.id, message.origin === 'collector', message.metrics, archived.length > 0 ? inOrder(message.samples, kept, archived) : kept);
    if (kept !== message.samples) {
      const outOfOrder = store.dropped.outOfOrder - outOfOrderBefore;
      const seriesCap = store.dropped.seriesCap - seriesCapBefore;
      const reserved = store.dropped.reserved - reservedBefore;
      if (outOfOrder + seriesCap + reserved > 0) {
        refused.set(message.id, { outOfOrder, seriesCap, reserved });
        if (refused.size > REFUSED_REMEMBERED) refused.delete(refused.keys().next().value as Cursor);
      }
    }
    hub.broadcast(kept === message.samples ? message : { ...message, samples: kept }, announced);
  });

  const collector: Collector = startCollector({
    intervalMs: env.COLLECT_INTERVAL,
    instance: env.INSTANCE,
    // Other instances read its batches as Redis entries, checked like any other.
    maxBatch: env.INGEST_MAX_POINTS,
    // Never fails: while Redis is down, batches wait in the bus's bounded outbox.
    publish: async (batch) => bus.publishBuffered(batch),
    self: () => ({
      streamsOpen: hub.size,
      seriesCount: store.size,
      pointsPublishedTotal: counters.pointsPublished,
      eventsSentTotal: hub.stats.eventsSent,
    }),
  });

  // Streams hear when the bus goes down or comes back (Redis), and when history stops or starts
  // being saved, so dashboards can say so.
  const busWatch = setInterval(() => {
    const { state, since, lastError } = bus.status();
    const disk = storage?.status();
    hub.setBusState({
      state,
      since,
      ...(disk?.state === 'degraded' && { storage: `history is not being saved (${(disk.reason ?? '').slice(0, 200)})` }),
      ...(state === 'down' && { message: `Redis is unreachable${lastError ? ` (${lastError})` : ''}: new points are delayed` }),
      ...(state === 'connecting' && { message: 'connecting to Redis: new points are delayed' }),
    });
  }, BUS_WATCH_MS);
  busWatch.unref();

  const publish = async (batch: Batch): Promise<Cursor> => {
    const cursor = await bus.publish(batch);
    if (storage && env.FSYNC_INTERVAL === 0) {
      // Answered only once on disk: while the log cannot be written, 503 and the producer retries.
      await storage.synced().catch((err: unknown) => {
        throw new BusUnavailableError(err instanceof Error ? err.message : String(err));
      });
    }
    return cursor;
  };
  const leases = createLeases(env);
  const scraper = createScraper(env, { env, limits: pointLimits(env), store, storage, publish }, leases);
  const alerts = new AlertEvaluator({
    store,
    // Never fails: while Redis is down, the points wait in the bus's bounded outbox.
    publish: (batch) => bus.publishBuffered({ ...batch, origin: 'alerts' }),
    leases,
    me: env.INSTANCE,
    intervalMs: env.ALERT_EVAL_INTERVAL,
    file: env.ALERTS_FILE,
    stateFile: env.DATA_DIR === 'none' ? null : join(env.DATA_DIR, 'alerts-state.json'),
    externalURL: env.EXTERNAL_URL,
    limits: { maxLabels: env.INGEST_MAX_LABELS, maxSeriesKeyLength: env.INGEST_MAX_SERIES_KEY_LENGTH },
    clustered: Boolean(env.REDIS_URL),
    maxWork: env.QUERY_MAX_WORK,
  });
  alerts.start();

  let stopping: Promise<void> | undefined;
  return {
    get stopping() {
      return stopping !== undefined;
    },
    env,
    bus,
    store,
    hub,
    storage,
    counters,
    startedAt: Date.now(),
    // FSYNC_INTERVAL=0: a write is answered once its points are fsync'd.
    publish,
    scraper,
    alerts,
    refusedIn: (cursor) => refused.get(cursor),
    shutdown() {
      stopping ??= (async () => {
        collector.stop();
        scraper?.stop();
        alerts.stop();
        clearInterval(busWatch);
        hub.drain(env.SHUTDOWN_DRAIN_WINDOW);
        await bus.close();
        await storage?.close();
        leases.close();
      })();
      return stopping;
    },
  };
}
