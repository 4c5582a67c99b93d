import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { durationSchema } from '@/lib/schema';

/** A duration such as `500ms`, `15s`, `5m`, `1h`, or a bare number of milliseconds. */
const duration = (fallback: string, min: number, max: number) => z.string().default(fallback).pipe(durationSchema({ min, max }));

/** A whole number, written plainly (`1048576`) or with a binary suffix (`1MiB`, `64KiB`). */
function count(fallback: string, min: number, max: number) {
  const describe = `a whole number between ${min} and ${max}`;
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const m = /^(\d+)\s*([GKM]iB)?$/.exec(raw.trim());
      const scale = m?.[2] ? 1024 ** (['KiB', 'MiB', 'GiB'].indexOf(m[2]) + 1) : 1;
      const n = m ? Number(m[1]) * scale : NaN;
      if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(raw)}; expected ${describe}` });
        return z.NEVER;
      }
      return n;
    });
}

/** Comma-separated addresses and CIDR ranges, each checked; `example` is what the error suggests. */
function cidrList(fallback: string, example: string) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((cidr) => !isCidr(cidr));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(bad.join(','))}; expected comma-separated addresses or CIDR ranges such as ${example}` });
        return z.NEVER;
      }
      return list;
    });
}

/**
 * Every setting Pulseboard reads, with its default. The README's configuration table is
 * written from this schema; keep them in step.
 */
export const envSchema = z.object({
  PORT: count('3000', 1, 65_535),
  /** Default: the host name; with REDIS_URL, `host:PORT`, so instances sharing a host stay apart. */
  INSTANCE: z.string().max(128, 'at most 128 characters').optional(),
  COLLECT_INTERVAL: duration('1s', 100, 3_600_000),
  HISTORY_RETENTION: duration('1h', 60_000, 7 * 86_400_000),
  HISTORY_MAX_POINTS: count('7200', 10, 1_000_000),
  MAX_SERIES: count('10000', 1, 1_000_000),
  HEARTBEAT_INTERVAL: duration('15s', 1_000, 300_000),
  STREAM_RETRY: duration('3s', 100, 300_000),
  STREAM_MAX_QUEUE_BYTES: count('1MiB', 1_024, 1024 ** 3),
  STREAM_FLUSH_INTERVAL: duration('25ms', 0, 1_000),
  MAX_STREAMS: count('10000', 1, 1_000_000),
  /** Streams one client address may hold open; behind a proxy every client shares its address. */
  MAX_STREAMS_PER_CLIENT: count('64', 1, 1_000_000),
  /** Distinct `series=` filters open at once: each costs matching work per flush. */
  STREAM_MAX_FILTERS: count('1000', 1, 1_000_000),
  /** Streams replaying from a cursor at once; more are told to retry shortly. */
  STREAM_MAX_CATCHUPS: count('100', 1, 1_000_000),
  /** Longest filter a request may carry: dashboard and metric-browser `q`, `series=` globs. */
  QUERY_MAX_LENGTH: count('4096', 16, 65_536),
  /** Most terms (dashboard filter) or globs (`series=`) in one filter. */
  QUERY_MAX_TERMS: count('64', 1, 1_024),
  /**
   * Most matching steps one filter may cost over the series held (a step is about a character
   * compared natively; see lib/series/piece.ts), and the most a stream flush spends matching new
   * series against new filters. 70M: 64 globs such as `http_requests_total{*route="/api*` over
   * 10,000 keys of 100 characters cost 64M and pass; the slowest allowed filters measured take
   * ~2 ns a step on 2 cores, so the worst allowed request is ~150 ms of CPU.
   */
  QUERY_MAX_WORK: count('70000000', 10_000, 10_000_000_000),
  /** Most points a server-rendered page carries in all; series get fewer each past it. */
  SNAPSHOT_MAX_POINTS: count('200000', 1_000, 100_000_000),
  REPLAY_MAX_BYTES: count('16MiB', 64 * 1024, 4 * 1024 ** 3),
  REPLAY_WINDOW: duration('5m', 1_000, 86_400_000),
  SHUTDOWN_DRAIN_WINDOW: duration('5s', 0, 600_000),
  SHUTDOWN_TIMEOUT: duration('10s', 1_000, 600_000),
  INGEST_TOKEN: z.string().trim().min(16, 'at least 16 characters').optional(),
  INGEST_ALLOW_FROM: cidrList('127.0.0.0/8,::1/128', '127.0.0.0/8,::1/128'),
  INGEST_MAX_BODY_BYTES: count('1MiB', 64, 1024 ** 3),
  /**
   * `on`: a production server answers `POST /api/ingest` from its request gate with the route's
   * own function, skipping Next.js' per-request pipeline (about 1.4 µs a point at 1,000 a
   * request); `off`: through the route like any other (to compare, or to debug).
   */
  INGEST_DIRECT: z.enum(['on', 'off'], { error: 'expected on or off' }).default('on'),
  INGEST_MAX_POINTS: count('10000', 1, 1_000_000),
  INGEST_MAX_LABELS: count('16', 0, 128),
  INGEST_MAX_LABEL_VALUE_LENGTH: count('1024', 1, 65_536),
  INGEST_MAX_NAME_LENGTH: count('256', 1, 65_536),
  INGEST_MAX_LABEL_NAME_LENGTH: count('128', 1, 65_536),
  /** Longest HELP text of a metric (`# HELP`, or `metadata.help`). */
  INGEST_MAX_HELP_LENGTH: count('1024', 1, 65_536),
  /** Longest whole series key, `name{k="v",...}` as canonically written. */
  INGEST_MAX_SERIES_KEY_LENGTH: count('4KiB', 64, 1024 ** 2),
  /** A point this far ahead of the server clock would hold its series' later points out until then. */
  INGEST_MAX_FUTURE: duration('30s', 0, 86_400_000),
  /**
   * Host names (besides IP literals and `localhost`, always accepted) that requests may address in
   * `Host`; `*.example.com` matches subdomains, `*` any name. Default: this host's name.
   */
  ALLOWED_HOSTS: z
    .string()
    .transform((raw, ctx) => {
      const list = raw.split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
      const bad = list.filter((name) => !isHostPattern(name));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(bad.join(','))}; expected comma-separated host names such as dash.example.com,*.internal (no scheme, no port), or *` });
        return z.NEVER;
      }
      return list;
    })
    .optional(),
  /**
   * Address `npm start` listens on (the start script passes it to `next start -H`): loopback by
   * default, so nothing is readable from the network until the operator says so.
   */
  HOST: z.string().max(253, 'at most 253 characters').default('127.0.0.1'),
  /** Who may read and write: `none` (anyone who reaches the port), `password` (sign-in and tokens), `proxy` (a trusted proxy's user header). */
  AUTH: z.enum(['none', 'password', 'proxy'], { error: 'expected none, password or proxy' }).default('none'),
  /** Users, tokens and the session key (written by `npm run pulseboard -- …`); default `$DATA_DIR/auth.json`. */
  AUTH_FILE: z.string().max(4096, 'at most 4096 characters').optional(),
  /** AUTH=proxy: peers whose user header is believed (also whose X-Forwarded-Proto says HTTPS). */
  TRUSTED_PROXIES: cidrList('', '127.0.0.1/32,10.0.0.0/8'),
  /** AUTH=proxy: the request header carrying the signed-in user's name. */
  AUTH_PROXY_HEADER: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'expected a header name such as X-Forwarded-User')
    .default('x-forwarded-user'),
  /** How long a sign-in lasts. */
  SESSION_TTL: duration('7d', 60_000, 365 * 86_400_000),
  /** Failed sign-ins per user name, and per address, within LOGIN_LOCKOUT before further tries are refused (429). */
  LOGIN_MAX_FAILURES: count('5', 1, 1_000),
  LOGIN_LOCKOUT: duration('15m', 1_000, 86_400_000),
  /**
   * Where history is kept across restarts (created on start): relative to the working directory,
   * `none` to keep history in memory only (as before; for benchmarks and throwaway runs).
   */
  DATA_DIR: z.string().max(4096, 'at most 4096 characters').default('./data'),
  /** Longest an acknowledged point waits to be fsync'd; 0: before ingest answers 202. */
  FSYNC_INTERVAL: duration('1s', 0, 60_000),
  /** How often what is new is written to DATA_DIR as a block (and the log behind it let go). */
  CHECKPOINT_INTERVAL: duration('1m', 1_000, 3_600_000),
  /** Raw points kept on disk; older ones are only in the 1-minute and 1-hour rollups. */
  RETENTION_RAW: duration('2d', 3_600_000, 3_650 * 86_400_000),
  /** 1-minute rollups (min, max, sum, count, last) kept on disk. */
  RETENTION_1M: duration('30d', 3_600_000, 3_650 * 86_400_000),
  /** 1-hour rollups kept on disk. */
  RETENTION_1H: duration('365d', 86_400_000, 3_650 * 86_400_000),
  /** Most bytes DATA_DIR may hold: past it the oldest raw data goes first, then the oldest rollups. */
  DATA_MAX_BYTES: count('2GiB', 1024 ** 2, 2 ** 50),
  /** Exporters to scrape: comma-separated URLs, each optionally `job=URL` (see docs/scrape.md). */
  SCRAPE_TARGETS: z.string().max(262_144, 'at most 256 KiB; put many targets in SCRAPE_FILE').optional(),
  /** A JSON file of more targets, each with its own interval, timeout, headers, labels, keep/drop. */
  SCRAPE_FILE: z.string().max(4096, 'at most 4096 characters').optional(),
  SCRAPE_INTERVAL: duration('5s', 1_000, 3_600_000),
  /** Longest one scrape may take (never longer than its interval). */
  SCRAPE_TIMEOUT: duration('10s', 100, 600_000),
  /** Most samples one scrape of a target may bring; past it the scrape fails and nothing of it is stored. */
  SCRAPE_MAX_SAMPLES: count('10000', 1, 1_000_000),
  SCRAPE_MAX_BODY_BYTES: count('16MiB', 1_024, 1024 ** 3),
  /** Alert rules, channels and silences (JSON, see docs/alerts.md); default `$DATA_DIR/alerts.json`. */
  ALERTS_FILE: z.string().max(4096, 'at most 4096 characters').optional(),
  /** How often the rules are evaluated. */
  ALERT_EVAL_INTERVAL: duration('5s', 1_000, 3_600_000),
  /** The dashboard's address as a notification links to it (`generatorURL`); default `http://HOST:PORT`. */
  EXTERNAL_URL: z
    .string()
    .max(2048, 'at most 2048 characters')
    .regex(/^https?:\/\/\S+$/, 'expected a URL such as https://pulseboard.example.com')
    .transform((u) => {
      let end = u.length;
      while (end > 0 && u[end - 1] === '/') end--;
      return u.slice(0, end);
    })
    .optional(),
  REDIS_URL: z
    .string()
    .refine((raw) => {
      try {
        return ['redis:', 'rediss:'].includes(new URL(raw).protocol);
      } catch {
        return false;
      }
    }, 'expected a URL such as redis://127.0.0.1:6379 or rediss://user:password@host:6380/0')
    .optional(),
  REDIS_STREAM_KEY: z.string().min(1).max(256, 'at most 256 characters').default('pulseboard:points'),
  REDIS_STREAM_MAXLEN: count('20000', 100, 100_000_000),
  REDIS_OUTBOX_MAX_BYTES: count('4MiB', 1_024, 1024 ** 3),
  REDIS_RECONNECT_MAX: duration('5s', 100, 300_000),
  REDIS_COMMAND_TIMEOUT: duration('5s', 100, 300_000),
});

/** A host name, `*.` followed by one, or `*`. */
function isHostPattern(value: string): boolean {
  if (value === '*') return true;
  const name = value.startsWith('*.') ? value.slice(2) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((part) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(part));
}

/** `addr` or `addr/prefix`, IPv4 or IPv6. */
function isCidr(value: string): boolean {
  const [addr, prefix, extra] = value.split('/');
  if (extra !== undefined || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const n = Number(prefix);
  return /^\d+$/.test(prefix) && n <= (family === 4 ? 32 : 128);
}

export type Env = Omit<z.infer<typeof envSchema>, 'INSTANCE' | 'ALLOWED_HOSTS' | 'AUTH_FILE' | 'ALERTS_FILE' | 'EXTERNAL_URL'> & {
  INSTANCE: string;
  ALLOWED_HOSTS: string[];
  AUTH_FILE: string | null;
  ALERTS_FILE: string | null;
  EXTERNAL_URL: string;
};

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** Parses an environment (empty strings count as unset); throws one EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = envSchema.superRefine((env, ctx) => {
    if (env.AUTH === 'password' && env.DATA_DIR === 'none' && !env.AUTH_FILE) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_FILE'], message: 'AUTH=password with DATA_DIR=none needs AUTH_FILE: where users and tokens are kept' });
    }
    if (env.AUTH === 'proxy' && env.TRUSTED_PROXIES.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['TRUSTED_PROXIES'], message: 'AUTH=proxy needs TRUSTED_PROXIES: the addresses of the proxies whose user header is believed' });
    }
  }).safeParse(cleaned);
  if (result.success) {
    const env = result.data;
    return {
      ...env,
      INSTANCE: env.INSTANCE ?? (env.REDIS_URL ? `${hostname()}:${env.PORT}` : hostname()),
      ALLOWED_HOSTS: env.ALLOWED_HOSTS ?? [hostname().toLowerCase()],
      AUTH_FILE: env.AUTH_FILE ?? (env.DATA_DIR === 'none' ? null : join(env.DATA_DIR, 'auth.json')),
      ALERTS_FILE: env.ALERTS_FILE ?? (env.DATA_DIR === 'none' ? null : join(env.DATA_DIR, 'alerts.json')),
      EXTERNAL_URL: env.EXTERNAL_URL ?? `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`,
    };
  }
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
}

let cached: Env | undefined;

/** The process environment, parsed once. The only reader of `process.env` in Pulseboard. */
export function loadEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
