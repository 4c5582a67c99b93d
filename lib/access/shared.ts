import 'server-only';
import { createClient } from '@redis/client';
import { backoff, describeError } from '@/lib/bus/redis';
import { isSessionId, type RevokedSessions } from './session';

export interface SharedRevocationsOptions {
  url: string;
  /** The sorted set (score: expiry, ms) and the channel every instance shares: `<REDIS_STREAM_KEY>:revoked-sessions`. */
  key: string;
  commandTimeoutMs: number;
  reconnectMaxMs: number;
  /** At most this many revocations are kept in Redis (the soonest to expire go first past it). */
  max: number;
  log?: (line: string) => void;
}

// How often the whole set is read again: a message lost in a reconnection is caught up this late.
const RELOAD_MS = 30_000;
// A published message is `<sid> <expires ms>`.
const MESSAGE_MAX = 128;

type Client = ReturnType<typeof createClient>;

/**
 * Sign-outs shared by every instance on one Redis (REDIS_URL). A session signed out on one
 * instance is written to a sorted set (score: its expiry) and published; every instance, subscribed,
 * adds it to its own RevokedSessions at once and ends the streams it had open for it. Each (re)connection
 * reads the whole set, and so does a timer, so an instance that was away (or restarted) learns
 * what it missed. Sign-outs made while Redis is unreachable are held and written when it is back.
 */
export class SharedRevocations {
  private readonly writer: Client;
  private readonly subscriber: Client;
  private readonly pending = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly log: (line: string) => void;
  private closed = false;
  private lastError: string | null = null;
  private loadedOnce = false;
  private loaded!: () => void;
  private readonly firstLoad = new Promise<void>((resolve) => (this.loaded = resolve));

  constructor(
    private readonly options: SharedRevocationsOptions,
    private readonly revoked: RevokedSessions,
  ) {
    this.log = options.log ?? ((line) => console.warn(line));
    const socket = { connectTimeout: options.commandTimeoutMs, reconnectStrategy: (retries: number) => backoff(retries, options.reconnectMaxMs) };
    this.writer = createClient({ url: options.url, socket, disableOfflineQueue: true, commandOptions: { timeout: options.commandTimeoutMs } });
    this.subscriber = createClient({ url: options.url, socket, disableOfflineQueue: true });
    for (const client of [this.writer, this.subscriber]) {
      client.on('error', (err: Error) => {
        const described = describeError(err);
        if (described !== this.lastError) this.log(`[pulseboard] auth: Redis for shared sign-outs: ${described} (retrying)`);
        this.lastError = described;
      });
    }
    this.writer.on('ready', () => {
      this.lastError = null;
      void this.flush().then(() => this.reload());
    });
    // Subscribed again on every reconnection by the client; what was published meanwhile comes with the reload.
    this.subscriber.on('ready', () => void this.reload());
    revoked.onRevoke((entries, where) => {
      if (where !== 'here') return;
      for (const [sid, expires] of entries) this.pending.set(sid, expires);
      void this.flush();
    });
    this.timer = setInterval(() => void this.reload(), RELOAD_MS);
    this.timer.unref();
    this.writer.connect().catch(() => undefined);
    this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(options.key, (message) => this.received(message)))
      .catch(() => undefined);
  }

  /**
   * Resolves once the sign-outs in Redis have been read (or after `commandTimeoutMs` without Redis:
   * then this instance goes on with those it has on disk, and catches up when Redis answers).
   */
  ready(): Promise<void> {
    if (this.loadedOnce || this.closed) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.commandTimeoutMs)));
    return Promise.race([this.firstLoad, timeout]).finally(() => clearTimeout(timer));
  }

  /** Sign-outs made here, not yet written to Redis. */
  get unsent(): number {
    return this.pending.size;
  }

  private received(message: string): void {
    if (message.length > MESSAGE_MAX) return;
    const [sid, expires] = message.split(' ');
    const until = Number(expires);
    if (sid && isSessionId(sid) && Number.isSafeInteger(until)) this.revoked.merge([[sid, until]]);
  }

  /** Writes the sign-outs made here: ZADD, then PUBLISH (kept for the next connection on failure). */
  private async flush(): Promise<void> {
    if (!this.writer.isReady || this.pending.size === 0) return;
    const batch = [...this.pending];
    try {
      const now = Date.now();
      await this.writer.zAdd(this.options.key, batch.map(([sid, expires]) => ({ score: expires, value: sid })));
      await this.writer.zRemRangeByScore(this.options.key, '-inf', now);
      await this.writer.zRemRangeByRank(this.options.key, 0, -(this.options.max + 1));
      for (const [sid, expires] of batch) {
        await this.writer.publish(this.options.key, `${sid} ${expires}`);
        if (this.pending.get(sid) === expires) this.pending.delete(sid);
      }
    } catch (err) {
      this.log(`[pulseboard] auth: cannot share ${batch.length} sign-out(s) through Redis (${describeError(err)}); they hold here and are sent when Redis answers`);
    }
  }

  /** Reads every revocation not yet expired from Redis. */
  async reload(): Promise<void> {
    if (this.closed || !this.writer.isReady) return;
    try {
      const entries = await this.writer.zRangeByScoreWithScores(this.options.key, Date.now(), '+inf', { LIMIT: { offset: 0, count: this.options.max } });
      this.revoked.merge(entries.map((e) => [e.value, e.score] as const));
      this.loadedOnce = true;
      this.loaded();
    } catch (err) {
      this.log(`[pulseboard] auth: cannot read shared sign-outs from Redis (${describeError(err)}); retrying`);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const client of [this.writer, this.subscriber]) {
      try {
        client.destroy();
      } catch {
        // already closed
      }
    }
  }
}
