import { createClient } from '@redis/client';
import type { PointLimits } from '@/lib/schema';
import { EntryDecoder, encodeEntry, type EntryFields } from './entry';
import { compareIds, isStreamId } from './redis-id';
import { BusUnavailableError, type Batch, type Bus, type BusListener, type BusMessage, type BusState, type BusStatus, type Cursor } from './types';

export interface RedisBusOptions {
  url: string;
  /** The stream every instance appends to and reads. */
  streamKey: string;
  /** `XADD ... MAXLEN ~ maxLen`: how many entries Redis keeps, the replay window of the stream. */
  maxLen: number;
  /** Bytes of collector batches held while Redis is unreachable; the oldest go first. */
  outboxMaxBytes: number;
  /** Longest wait between reconnection attempts (they back off from 100 ms, with jitter). */
  reconnectMaxMs: number;
  /** Longest wait for one Redis command (and for the connection). */
  commandTimeoutMs: number;
  /** On start, entries this far back are loaded (HISTORY_RETENTION). */
  warmWindowMs: number;
  /**
   * The newest entry id this instance has on disk (DATA_DIR): reading starts after it instead, so
   * a restart loads only what it missed, however far back (as far as MAXLEN kept it).
   */
  readAfter?: string | null;
  /** This instance's name, written with every entry. */
  source: string;
  /** Every entry, whoever wrote it, is checked against the same limits as HTTP ingest. */
  limits: PointLimits;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

type Client = ReturnType<typeof createClient>;
type StreamsReply = Array<{ name: string; messages: Array<{ id: string; message: EntryFields }> }> | null;

// Entries read per XREAD; a read returning fewer means the reader has caught up.
const READ_COUNT = 1000;
// How long one XREAD blocks waiting for entries; bounds how long close() can wait on it.
const BLOCK_MS = 2000;
// How far ahead of this clock a cursor may be and still be waited for.
const FUTURE_SLACK_MS = 60_000;
// Longest close() waits to write what the outbox holds.
const CLOSE_FLUSH_MS = 1000;
// At most one log line per this many ms about invalid entries.
const INVALID_LOG_EVERY_MS = 10_000;

/** `redis://user:secret@host` → `redis://user:***@host`: URLs are logged, passwords are not. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** Reconnection delay after `retries` failed attempts: 100 ms doubling up to `maxMs`, jittered to 50–100 %. */
export function backoff(retries: number, maxMs: number): number {
  return Math.round(Math.min(100 * 2 ** Math.min(retries, 20), maxMs) * (0.5 + Math.random() / 2));
}

/**
 * The bus shared by many instances through one Redis Stream. `publish` appends (XADD with an
 * approximate MAXLEN); every instance, the publisher included, reads the stream in order with a
 * blocking XREAD and delivers each entry to its local subscribers, so all instances see the same
 * messages in the same order and entry ids serve as cursors everywhere. Reading always continues
 * after the last id read, across reconnections: no gap, no duplicate.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  private readonly writer: Client;
  private readonly reader: Client;
  private readonly listeners = new Set<BusListener>();
  private readonly decoder: EntryDecoder;
  private readonly log: (line: string) => void;
  private readonly warn: (line: string) => void;
  private readonly target: string;
  /** Id of the newest delivered message. */
  private last: Cursor | null = null;
  /** Id the next XREAD reads after: the newest entry read, valid or not. */
  private readFrom: string;
  private state: BusState = 'connecting';
  private stateSince = Date.now();
  private lastError: string | null = null;
  private wasUp = false;
  private outbox: Array<{ fields: EntryFields; bytes: number }> = [];
  private outboxBytes = 0;
  private outboxDropped = 0;
  private flushing: Promise<void> | undefined;
  private invalid = 0;
  private invalidLoggedAt = 0;
  private waiters: Array<{ id: string; done: () => void }> = [];
  /** True once an entry has been read: `readFrom` is then a real id. */
  private readAny = false;
  private checkPending = false;
  /** Set while XREAD fails on a connection that is up (an error reply such as LOADING). */
  private readFailure: string | null = null;
  private readonly warm: Promise<void>;
  private warmDone!: () => void;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.warn = options.warn ?? ((line) => console.warn(line));
    this.target = `${redactUrl(options.url)} stream "${options.streamKey}"`;
    this.decoder = new EntryDecoder(options.limits);
    // linear: anchored digit runs.
    const resume = options.readAfter && /^\d{1,20}-\d{1,20}$/.test(options.readAfter) ? options.readAfter : null;
    this.readFrom = resume ?? `${Math.max(0, Date.now() - options.warmWindowMs)}-0`;
    // Resuming from disk: the first connection checks that nothing after it was trimmed.
    this.readAny = resume !== null;
    this.warm = new Promise((resolve) => (this.warmDone = resolve));
    const socket = {
      connectTimeout: options.commandTimeoutMs,
      reconnectStrategy: (retries: number) => backoff(retries, options.reconnectMaxMs),
    };
    // A command already sent is not covered by a command timeout, so a connection that silently
    // stops answering (a network partition, no reset) is found by socket inactivity instead: the
    // writer pings while idle, the reader's blocking XREAD returns at least every BLOCK_MS.
    const pingMs = Math.min(Math.max(options.commandTimeoutMs, 1000), 5000);
    // Commands fail at once while disconnected instead of queueing: ingest must answer now.
    this.writer = createClient({
      url: options.url,
      socket: { ...socket, socketTimeout: pingMs + options.commandTimeoutMs },
      pingInterval: pingMs,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs },
    });
    this.reader = createClient({
      url: options.url,
      socket: { ...socket, socketTimeout: BLOCK_MS + options.commandTimeoutMs },
      disableOfflineQueue: true,
      commandOptions: { timeout: BLOCK_MS + options.commandTimeoutMs },
    });
    this.reader.on('ready', () => {
      // Connected again after having read: check that nothing it had not read yet is gone.
      if (this.readAny) this.checkPending = true;
    });
    for (const client of [this.writer, this.reader]) {
      client.on('error', (err: Error) => {
        this.lastError = describeError(err);
        this.update();
      });
      for (const event of ['ready', 'end', 'reconnecting']) client.on(event, () => this.update());
      // connect() keeps retrying (reconnectStrategy) until it succeeds; progress is seen through events.
      client.connect().catch(() => undefined);
    }
    void this.readLoop();
  }

  get lastId(): Cursor | null {
    return this.last;
  }

  async publish(batch: Batch): Promise<Cursor> {
    if (this.state !== 'up') throw new BusUnavailableError(this.unavailable());
    let id: string;
    try {
      id = await this.append(encodeEntry(batch, this.options.source));
    } catch (err) {
      this.lastError = describeError(err);
      throw new BusUnavailableError(
        `Redis did not confirm the write (${this.lastError}); it may or may not have been stored: retry (a repeated point is kept once)`,
      );
    }
    // Stored; wait (bounded) for our own reader so a page loaded next already shows it.
    await this.caughtUp(id, this.options.commandTimeoutMs);
    return id;
  }

  publishBuffered(batch: Batch): void {
    const fields = encodeEntry(batch, this.options.source);
    let bytes = 0;
    for (const v of Object.values(fields)) bytes += v.length;
    this.outbox.push({ fields, bytes });
    this.outboxBytes += bytes;
    // The head may be on its way to Redis: while a flush runs, the next oldest goes instead.
    while (this.outboxBytes > this.options.outboxMaxBytes && this.outbox.length > 1) {
      const [dropped] = this.outbox.splice(this.flushing && this.outbox.length > 2 ? 1 : 0, 1);
      this.outboxBytes -= dropped?.bytes ?? 0;
      this.outboxDropped++;
    }
    void this.flushOutbox();
  }

  ready(timeoutMs: number): Promise<void> {
    return withTimeout(this.warm, timeoutMs);
  }

  caughtUp(cursor: Cursor, timeoutMs: number): Promise<void> {
    if (!isStreamId(cursor) || compareIds(cursor, this.readFrom) <= 0 || this.closed) return Promise.resolve();
    // Ids come from Redis's clock: one from the future was made up, and is not waited for.
    if (compareIds(cursor, `${Date.now() + FUTURE_SLACK_MS}-0`) > 0) return Promise.resolve();
    let done!: () => void;
    const reached = new Promise<void>((resolve) => (done = resolve));
    const waiter = { id: cursor, done };
    this.waiters.push(waiter);
    // A cursor that never comes (made up, or from another stream) must not leave its waiter behind.
    return withTimeout(reached, timeoutMs).finally(() => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  status(): BusStatus {
    return {
      state: this.state,
      since: this.stateSince,
      lastError: this.state === 'up' ? null : this.lastError,
      outbox: { batches: this.outbox.length, bytes: this.outboxBytes, dropped: this.outboxDropped },
      invalidEntries: this.invalid,
    };
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // The collector's last batches go out first when Redis is there to take them.
    if (this.state === 'up' && this.outbox.length > 0) await withTimeout(this.flushOutbox(), CLOSE_FLUSH_MS);
    if (this.closed) return;
    this.closed = true;
    if (this.outbox.length > 0) this.warn(`[pulseboard] redis: closing with ${this.outbox.length} collector batch(es) not yet written; they are dropped`);
    this.setState('closed');
    for (const w of this.waiters) w.done();
    this.waiters = [];
    this.warmDone();
    // The reader may be blocked in XREAD: destroy it rather than wait for the block to end.
    for (const client of [this.reader, this.writer]) {
      try {
        client.destroy();
      } catch {
        // already closed
      }
    }
    this.listeners.clear();
  }

  /** XADD, failing after REDIS_COMMAND_TIMEOUT even when the command is already on the wire. */
  private append(fields: EntryFields): Promise<string> {
    const added = this.writer.xAdd(this.options.streamKey, '*', fields, {
      TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.options.maxLen },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.options.commandTimeoutMs} ms`)), this.options.commandTimeoutMs);
    });
    added.catch(() => undefined); // a late failure after the timeout has nobody to tell
    return Promise.race([added, timeout]).finally(() => clearTimeout(timer));
  }

  /** Writes the outbox, oldest first, while Redis is up; stops at the first failure and keeps the rest. */
  private flushOutbox(): Promise<void> {
    this.flushing ??= this.writeOutbox().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeOutbox(): Promise<void> {
    while (this.outbox.length > 0 && this.state === 'up') {
      const head = this.outbox[0] as { fields: EntryFields; bytes: number };
      try {
        await this.append(head.fields);
      } catch (err) {
        this.lastError = describeError(err);
        return;
      }
      if (this.outbox[0] === head) {
        this.outbox.shift();
        this.outboxBytes -= head.bytes;
      }
    }
  }


  /** Reads the stream for as long as the bus is open: first the retained window, then new entries as they come. */
  private async readLoop(): Promise<void> {
    let warming = true;
    let loaded = 0;
    let failures = 0;
    const started = Date.now();
    while (!this.closed) {
      if (!this.reader.isReady) {
        await this.untilReady(this.reader);
        continue;
      }
      if (this.checkPending) {
        this.checkPending = false;
        await this.checkContinuity();
      }
      let reply: StreamsReply;
      try {
        reply = (await this.reader.xRead(
          { key: this.options.streamKey, id: this.readFrom },
          warming ? { COUNT: READ_COUNT } : { COUNT: READ_COUNT, BLOCK: BLOCK_MS },
        )) as StreamsReply;
      } catch (err) {
        if (this.closed) return;
        this.lastError = describeError(err);
        // On a connection that is still up, an error reply (LOADING while Redis replays its AOF,
        // WRONGTYPE, NOPERM): nothing is delivered, so the bus counts as down until a read works.
        if (this.reader.isReady) this.readFailure = this.lastError;
        this.update();
        await sleep(backoff(failures++, this.options.reconnectMaxMs));
        continue;
      }
      failures = 0;
      if (this.readFailure !== null) {
        this.readFailure = null;
        this.update();
      }
      const messages = reply?.[0]?.messages ?? [];
      for (const { id, message } of messages) this.deliver(id, message);
      if (warming) {
        loaded += messages.length;
        if (messages.length < READ_COUNT) {
          warming = false;
          this.log(`[pulseboard] redis: loaded ${loaded} entr${loaded === 1 ? 'y' : 'ies'} from the last ${Math.round(this.options.warmWindowMs / 60_000)} min of ${this.target} in ${Date.now() - started} ms`);
          this.warmDone();
        }
      }
    }
  }

  private deliver(id: string, fields: EntryFields): void {
    this.readFrom = id;
    this.readAny = true;
    const decoded = this.decoder.decode(id, fields);
    if (decoded.ok) {
      const message: BusMessage = { ...decoded.batch, id };
      this.last = id;
      for (const listener of this.listeners) {
        try {
          listener(message);
        } catch (err) {
          console.error('[pulseboard] bus listener failed:', err);
        }
      }
    } else {
      this.invalid++;
      const now = Date.now();
      if (now - this.invalidLoggedAt >= INVALID_LOG_EVERY_MS) {
        this.invalidLoggedAt = now;
        this.warn(`[pulseboard] redis: skipped entry ${id} of ${this.options.streamKey}: ${decoded.reason} (${this.invalid} skipped so far; the entry format is in docs/redis.md)`);
      }
    }
    if (this.waiters.length > 0) {
      const still = [];
      for (const w of this.waiters) {
        if (compareIds(w.id, id) <= 0) w.done();
        else still.push(w);
      }
      this.waiters = still;
    }
  }

  /**
   * After a reconnection, says so if entries this instance had not read are gone: trimmed by
   * MAXLEN during the outage, or lost because Redis restarted without its data. If the stream now
   * ends before what was read here (a failover to a replica that lags), reading moves back to its
   * end, so new entries are not skipped.
   */
  private async checkContinuity(): Promise<void> {
    const key = this.options.streamKey;
    try {
      const info = (await this.reader.sendCommand(['XINFO', 'STREAM', key]).catch((err: unknown) => {
        if (/no such key/i.test(String(err))) return null;
        throw err;
      })) as Record<string, unknown> | null;
      const lastGenerated = typeof info?.['last-generated-id'] === 'string' ? info['last-generated-id'] : null;
      if (lastGenerated === null || compareIds(lastGenerated, this.readFrom) < 0) {
        this.warn(
          `[pulseboard] redis: the stream ${lastGenerated === null ? 'is gone' : `ends at ${lastGenerated}`}, before ${this.readFrom} already read here: ` +
            'Redis came back without its latest writes (persistence off, or a lagging replica); acknowledged points written after that are lost. Keep persistence on (docs/redis.md)',
        );
        if (lastGenerated !== null) this.readFrom = lastGenerated;
        return;
      }
      // Still there: nothing after it was trimmed (trimming starts at the oldest).
      const at = (await this.reader.xRange(key, this.readFrom, this.readFrom, { COUNT: 1 })) as unknown[];
      if (at.length > 0) return;
      const first = (await this.reader.xRange(key, '-', '+', { COUNT: 1 })) as Array<{ id: string }>;
      const from = first[0]?.id;
      if (from !== undefined && compareIds(from, this.readFrom) > 0) {
        this.warn(
          `[pulseboard] redis: entries after ${this.readFrom} up to ${from} were removed before this instance read them ` +
            `(trimmed: REDIS_STREAM_MAXLEN=${this.options.maxLen} is shorter than the outage, or Redis lost them); charts have a gap there`,
        );
      }
    } catch (err) {
      this.warn(`[pulseboard] redis: could not check ${key} for a gap after reconnecting (${describeError(err)})`);
    }
  }

  private untilReady(client: Client): Promise<void> {
    return new Promise((resolve) => {
      if (client.isReady || this.closed) return resolve();
      const poll = setInterval(() => {
        if (client.isReady || this.closed) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
  }

  /** Derives the state from both connections and says what changed, once per change. */
  private update(): void {
    if (this.closed) return;
    const up = this.writer.isReady && this.reader.isReady && this.readFailure === null;
    const next: BusState = up ? 'up' : this.state === 'connecting' && this.lastError === null ? 'connecting' : 'down';
    if (next === this.state) return;
    const previous = this.state;
    const downFor = Date.now() - this.stateSince;
    this.setState(next);
    if (next === 'up') {
      if (!this.wasUp) {
        this.log(`[pulseboard] redis: connected to ${this.target}`);
      } else {
        const pending = this.outbox.length;
        const dropped = this.outboxDropped > 0 ? ` (${this.outboxDropped} dropped in all: REDIS_OUTBOX_MAX_BYTES)` : '';
        this.log(`[pulseboard] redis: reconnected after ${(downFor / 1000).toFixed(1)} s; reading resumes after ${this.readFrom}; writing ${pending} buffered collector batch(es)${dropped}`);
      }
      this.wasUp = true;
      this.lastError = null;
      void this.flushOutbox();
    } else if (next === 'down') {
      const what = previous === 'up' ? 'lost the connection to' : 'cannot reach';
      this.warn(
        `[pulseboard] redis: ${what} ${this.target} (${this.lastError ?? 'disconnected'}). Until it is back, ingest answers 503 with Retry-After, open streams stay open, ` +
          `the collector buffers up to ${this.options.outboxMaxBytes} bytes; reconnecting with backoff up to ${this.options.reconnectMaxMs} ms`,
      );
    }
  }

  private setState(state: BusState): void {
    this.state = state;
    this.stateSince = Date.now();
  }

  private unavailable(): string {
    const why = this.state === 'connecting' ? 'still connecting to Redis' : `Redis is unreachable (${this.lastError ?? 'disconnected'})`;
    return `${why}: nothing was stored; retry after the Retry-After delay`;
  }
}

/** A Redis client error in a few words: its code (ECONNREFUSED) or message. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message ?? err.name;
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
