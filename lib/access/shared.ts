import 'server-only';
import { createClient } from '@redis/client';
import { backoff, describeError } from '@/lib/bus/redis';
import { decodeLine, encodeCutoff, encodeRevocation, type Revocation, type RevokedSessions } from './revoked';

export interface SharedRevocationsOptions {
  url: string;
  /** The sorted set (score: expiry, ms) and the channel every instance shares: `<REDIS_STREAM_KEY>:revoked-sessions`. */
  key: string;
  commandTimeoutMs: number;
  reconnectMaxMs: number;
  /** At most this many sign-outs are kept in Redis (as in each instance, see RevokedSessions). */
  max: number;
  log?: (line: string) => void;
}

// How often the whole set is read again (and what this instance holds that Redis lacks written back).
const RELOAD_MS = 30_000;
// Members written per ZADD.
const CHUNK = 1_000;
// A user's cut-off never expires on its own in Redis: it outranks every sign-out.
const CUTOFF_SCORE = Number.MAX_SAFE_INTEGER;

type Client = ReturnType<typeof createClient>;

/**
 * Sign-outs shared by every instance on one Redis (REDIS_URL, AUTH=password). A session signed
 * out on one instance is added to a sorted set (score: its expiry) and published on a channel;
 * every instance, subscribed, refuses the cookie at once and ends the streams it had open for it.
 * On every (re)connection and every 30 s each instance reads the whole set and writes back what
 * it holds that Redis lacks (made while Redis was away, before a restart, or after Redis lost its
 * data), so no sign-out stays on one instance.
 */
export class SharedRevocations {
  private readonly writer: Client;
  private readonly subscriber: Client;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly log: (line: string) => void;
  private closed = false;
  private subscribed = false;
  private lastError: string | null = null;
  private loadedOnce = false;
  private loaded!: () => void;
  private readonly firstLoad = new Promise<void>((resolve) => (this.loaded = resolve));
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly options: SharedRevocationsOptions,
    private readonly revoked: RevokedSessions,
  ) {
    this.log = options.log ?? ((line) => console.warn(line));
    const socket = { connectTimeout: options.commandTimeoutMs, reconnectStrategy: (retries: number) => backoff(retries, options.reconnectMaxMs) };
    this.writer = createClient({ url: options.url, socket, disableOfflineQueue: true, commandOptions: { timeout: options.commandTimeoutMs } });
    this.subscriber = createClient({ url: options.url, socket, disableOfflineQueue: true });
    for (const client of [this.writer, this.subscriber]) client.on('error', (err: Error) => this.failed(err));
    this.writer.on('ready', () => void this.sync());
    this.subscriber.on('ready', () => void this.subscribe());
    revoked.onRevoke(({ revoked: fresh, cutoffs }, where) => {
      // Cut-offs from evictions are shared whoever made them; sign-outs by the instance that took them.
      const lines = [...(where === 'here' ? fresh.map(encodeRevocation) : []), ...cutoffs.map(([u, t]) => encodeCutoff(u, t))];
      if (lines.length > 0) void this.send(lines, where === 'here' ? fresh : []);
    });
    this.timer = setInterval(() => void this.sync(), RELOAD_MS);
    this.timer.unref();
    this.writer.connect().catch(() => undefined);
    this.subscriber.connect().catch(() => undefined);
  }

  private failed(err: unknown): void {
    const described = describeError(err);
    if (described !== this.lastError) this.log(`[pulseboard] auth: Redis for shared sign-outs: ${described} (retrying)`);
    this.lastError = described;
  }

  /**
   * Resolves once this instance is subscribed and has read the sign-outs in Redis, or once
   * REDIS_COMMAND_TIMEOUT has passed without that (once: later calls do not wait again). Then
   * this instance goes on with the sign-outs it has on disk and catches up when Redis answers.
   */
  ready(): Promise<void> {
    if (this.loadedOnce || this.closed) return Promise.resolve();
    this.waiting ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.commandTimeoutMs);
      timer.unref?.();
      void this.firstLoad.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.waiting;
  }

  private async subscribe(): Promise<void> {
    if (this.subscribed || this.closed || !this.subscriber.isReady) return;
    try {
      // The client subscribes again by itself after a reconnection once this has succeeded.
      await this.subscriber.subscribe(this.options.key, (message) => this.received(message));
      this.subscribed = true;
      await this.sync();
    } catch (err) {
      this.failed(err);
    }
  }

  private received(message: string): void {
    const read = decodeLine(message);
    if (!read) return;
    if ('revocation' in read) this.revoked.merge([read.revocation]);
    else this.revoked.merge([], [read.cutoff]);
  }

  /** Writes sign-outs made here and cut-offs, and tells the other instances (what fails is written by the next sync). */
  private async send(lines: string[], fresh: readonly Revocation[]): Promise<void> {
    if (!this.writer.isReady) return;
    try {
      const members = [...fresh.map((r) => ({ score: r.expires, value: encodeRevocation(r) })), ...lines.filter((l) => l.startsWith('c ')).map((value) => ({ score: CUTOFF_SCORE, value }))];
      await this.writer.zAdd(this.options.key, members);
      for (const line of lines) await this.writer.publish(this.options.key, line);
    } catch (err) {
      this.log(`[pulseboard] auth: cannot share ${lines.length} sign-out(s) through Redis now (${describeError(err)}); they hold here and are written at the next sync`);
    }
  }

  /** Reads every sign-out in Redis, and writes back those held here that Redis lacks. */
  async sync(): Promise<void> {
    if (this.closed || !this.writer.isReady) return;
    if (!this.subscribed) void this.subscribe();
    try {
      const now = Date.now();
      await this.writer.zRemRangeByScore(this.options.key, '-inf', now);
      // Past the cap the soonest to expire go, as in every instance (cut-offs rank above them all).
      await this.writer.zRemRangeByRank(this.options.key, 0, -(this.options.max + this.revoked.cutoffList().length + 1));
      const members = await this.writer.zRangeByScore(this.options.key, now, '+inf', { LIMIT: { offset: 0, count: this.options.max * 2 } });
      const remote = new Set(members);
      const revocations: Revocation[] = [];
      const cutoffs: Array<readonly [string, number]> = [];
      for (const m of members) {
        const read = decodeLine(m);
        if (!read) continue;
        if ('revocation' in read) revocations.push(read.revocation);
        else cutoffs.push(read.cutoff);
      }
      this.revoked.merge(revocations, cutoffs);
      const missing = [
        ...this.revoked.list().map((r) => ({ score: r.expires, value: encodeRevocation(r) })),
        ...this.revoked.cutoffList().map(([u, t]) => ({ score: CUTOFF_SCORE, value: encodeCutoff(u, t) })),
      ].filter((m) => !remote.has(m.value));
      for (let i = 0; i < missing.length; i += CHUNK) await this.writer.zAdd(this.options.key, missing.slice(i, i + CHUNK));
      if (this.subscribed && !this.loadedOnce) {
        this.loadedOnce = true;
        this.loaded();
      }
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
