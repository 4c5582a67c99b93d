import { createClient } from '@redis/client';
import { backoff, describeError } from './redis';

/** Who holds a lease after a claim: this instance, another (named), or nobody known (Redis unreachable). */
export interface Claim {
  mine: boolean;
  holder: string | null;
}

/** Leases by name: one instance at a time does a piece of work (scrape a target, evaluate alerts). */
export interface Leases {
  /** Takes or renews the lease `name` for `ttlMs`; never throws. */
  claim(name: string, ttlMs: number): Promise<Claim>;
  /** Writes what the holder of `name` last saw (a small JSON text), for the other instances. */
  share(name: string, value: string): Promise<void>;
  /** What the holder of `name` last shared (at most `maxChars`, default 64 KiB; longer is ignored), or null. */
  shared(name: string, maxChars?: number): Promise<string | null>;
  close(): void;
}

/** One process: every lease is its own. */
export class LocalLeases implements Leases {
  constructor(private readonly me: string) {}
  async claim(): Promise<Claim> {
    return { mine: true, holder: this.me };
  }
  async share(): Promise<void> {}
  async shared(): Promise<string | null> {
    return null;
  }
  close(): void {}
}

// Take the lease if free, renew it if ours; answer the holder either way.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return holder`;

/**
 * Leases in Redis: a key per lease holding the holder's instance name with an expiry, taken when
 * free and renewed by its holder on every claim (one atomic script). An instance that dies stops
 * renewing, and the next claim after the expiry by any other takes over. While Redis cannot be
 * reached nobody holds anything: work stops rather than being done twice.
 */
export class RedisLeases implements Leases {
  private readonly client: ReturnType<typeof createClient>;
  private lastError: string | null = null;

  constructor(
    private readonly options: { url: string; prefix: string; me: string; commandTimeoutMs: number; reconnectMaxMs: number; log?: (line: string) => void },
  ) {
    this.client = createClient({
      url: options.url,
      socket: { connectTimeout: options.commandTimeoutMs, reconnectStrategy: (retries: number) => backoff(retries, options.reconnectMaxMs) },
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs },
    });
    this.client.on('error', (err: Error) => this.failed(err));
    this.client.connect().catch(() => undefined);
  }

  private failed(err: unknown): void {
    const described = describeError(err);
    if (described !== this.lastError) (this.options.log ?? console.warn)(`[pulseboard] leases: Redis: ${described} (work that needs a lease waits)`);
    this.lastError = described;
  }

  async claim(name: string, ttlMs: number): Promise<Claim> {
    if (!this.client.isReady) return { mine: false, holder: null };
    try {
      const holder = (await this.client.eval(CLAIM, { keys: [`${this.options.prefix}:lease:${name}`], arguments: [this.options.me, String(Math.max(1, Math.round(ttlMs)))] })) as string | null;
      this.lastError = null;
      return { mine: holder === this.options.me, holder: typeof holder === 'string' ? holder.slice(0, 256) : null };
    } catch (err) {
      this.failed(err);
      return { mine: false, holder: null };
    }
  }

  async share(name: string, value: string): Promise<void> {
    if (!this.client.isReady) return;
    await this.client.set(`${this.options.prefix}:shared:${name}`, value, { expiration: { type: 'PX', value: 3_600_000 } }).catch((err: unknown) => this.failed(err));
  }

  async shared(name: string, maxChars = 65_536): Promise<string | null> {
    if (!this.client.isReady) return null;
    try {
      const value = await this.client.get(`${this.options.prefix}:shared:${name}`);
      return typeof value === 'string' && value.length <= maxChars ? value : null;
    } catch (err) {
      this.failed(err);
      return null;
    }
  }

  close(): void {
    try {
      this.client.destroy();
    } catch {
      // already closed
    }
  }
}
