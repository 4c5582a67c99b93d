import 'server-only';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { compileScope, ScopeError } from '@/lib/access/scope';
import { durationSchema, httpHeadersSchema } from '@/lib/schema';
import type { SeriesFilter } from '@/lib/series';

/** One exporter Pulseboard fetches metrics from, as configured. */
export interface Target {
  /** Stable id: job and URL. */
  id: string;
  job: string;
  url: string;
  /** `host:port` of the URL: the `instance` label, as Prometheus sets it. */
  instance: string;
  intervalMs: number;
  timeoutMs: number;
  /** Sent with every request (a bearer token, say); never logged or shown. */
  headers: Record<string, string>;
  /** Added to every sample (over the target's own of that name). */
  labels: Record<string, string>;
  /** Only series matching it are kept; null: all. */
  keep: SeriesFilter | null;
  /** Series matching it are dropped. */
  drop: SeriesFilter | null;
  maxSamples: number;
  maxBodyBytes: number;
}

/** The scrape settings every target starts from. */
export interface ScrapeDefaults {
  intervalMs: number;
  timeoutMs: number;
  maxSamples: number;
  maxBodyBytes: number;
}

export class ScrapeConfigError extends Error {
  override readonly name = 'ScrapeConfigError';
}

/** Interval floor: a target is fetched at most once a second. */
export const MIN_INTERVAL_MS = 1_000;
/** Most targets Pulseboard scrapes, from the setting and the file together. */
export const MAX_TARGETS = 1_000;
const URL_MAX = 2_048;
const JOB_PATTERN = /^[A-Za-z_][\w.:-]{0,63}$/;
const LABEL_NAME = /^[A-Za-z_]\w{0,127}$/;

const duration = (min: number, max: number) => z.string().max(32).pipe(durationSchema({ min, max }));

const targetSchema = z.strictObject({
  job: z.string().regex(JOB_PATTERN, 'a job name: letters, digits, _ . : -, at most 64, not starting with a digit'),
  url: z.string().max(URL_MAX),
  interval: duration(MIN_INTERVAL_MS, 3_600_000).optional(),
  timeout: duration(100, 600_000).optional(),
  headers: httpHeadersSchema.optional(),
  labels: z.record(z.string().regex(LABEL_NAME, 'a label name').refine((n) => !n.startsWith('__') && n !== 'job' && n !== 'instance', 'job and instance are set from the target, and __ names are reserved'), z.string().max(1_024)).optional(),
  keep: z.string().max(4_096).optional(),
  drop: z.string().max(4_096).optional(),
  maxSamples: z.number().int().min(1).max(1_000_000).optional(),
  maxBodyBytes: z.number().int().min(1_024).max(1024 ** 3).optional(),
});
const fileSchema = z.strictObject({ targets: z.array(targetSchema).max(MAX_TARGETS) });
export type TargetConfig = z.infer<typeof targetSchema>;

/** `http(s)://host:port/path` checked: its `instance` (`host:port`, the scheme's port when none is given). */
function checkedUrl(raw: string, where: string): { url: string; instance: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ScrapeConfigError(`${where}: ${JSON.stringify(raw.slice(0, 200))} is not a URL such as http://127.0.0.1:9100/metrics`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ScrapeConfigError(`${where}: ${u.protocol} URLs cannot be scraped; use http:// or https://`);
  if (u.username || u.password) throw new ScrapeConfigError(`${where}: put credentials in the target's headers (SCRAPE_FILE), not in the URL`);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { url: u.toString(), instance: `${u.hostname.includes(':') ? `[${u.hostname.replace(/^\[|\]$/g, '')}]` : u.hostname}:${port}` };
}

function matcher(text: string | undefined, where: string): SeriesFilter | null {
  if (text === undefined) return null;
  try {
    return compileScope(text);
  } catch (err) {
    if (err instanceof ScopeError) throw new ScrapeConfigError(`${where}: ${err.message}`);
    throw err;
  }
}

/** A target from its configuration, over the defaults. */
export function toTarget(config: TargetConfig, defaults: ScrapeDefaults, where: string): Target {
  const { url, instance } = checkedUrl(config.url, where);
  const intervalMs = config.interval ?? defaults.intervalMs;
  // Prometheus' rule: a scrape never outlasts its interval.
  const timeoutMs = Math.min(config.timeout ?? defaults.timeoutMs, intervalMs);
  return {
    id: createHash('sha256').update(`${config.job}\n${url}`).digest('hex').slice(0, 16),
    job: config.job,
    url,
    instance,
    intervalMs,
    timeoutMs,
    headers: config.headers ?? {},
    labels: config.labels ?? {},
    keep: matcher(config.keep, `${where} keep`),
    drop: matcher(config.drop, `${where} drop`),
    maxSamples: config.maxSamples ?? defaults.maxSamples,
    maxBodyBytes: config.maxBodyBytes ?? defaults.maxBodyBytes,
  };
}

/**
 * `SCRAPE_TARGETS`: comma-separated URLs, each optionally `job=URL`. Without a job name the
 * job is `scrape`. Throws ScrapeConfigError naming the entry at fault.
 */
export function parseTargetList(raw: string, defaults: ScrapeDefaults): Target[] {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length > MAX_TARGETS) throw new ScrapeConfigError(`SCRAPE_TARGETS: ${entries.length} targets; at most ${MAX_TARGETS}`);
  return entries.map((entry, i) => {
    const where = `SCRAPE_TARGETS entry ${i + 1}`;
    const eq = entry.indexOf('=');
    const scheme = entry.indexOf('://');
    const named = eq !== -1 && (scheme === -1 || eq < scheme);
    const job = named ? entry.slice(0, eq).trim() : 'scrape';
    if (!JOB_PATTERN.test(job)) throw new ScrapeConfigError(`${where}: job ${JSON.stringify(job.slice(0, 80))} is not a job name (letters, digits, _ . : -, at most 64)`);
    return toTarget({ job, url: named ? entry.slice(eq + 1).trim() : entry }, defaults, where);
  });
}

/** The targets of a SCRAPE_FILE (JSON, see docs/scrape.md); throws ScrapeConfigError naming the target and field. */
export function parseTargetFile(text: string, file: string, defaults: ScrapeDefaults): Target[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScrapeConfigError(`${file}: not JSON (${(err as Error).message.slice(0, 200)})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [, index, ...field] = issue.path;
    const job = typeof index === 'number' ? (json as { targets: Array<{ job?: unknown }> }).targets[index]?.job : undefined;
    const name = typeof index === 'number' ? `target ${index + 1}${typeof job === 'string' ? ` (${JSON.stringify(job.slice(0, 64))})` : ''}` : 'the file';
    // A record's bad key says why in its own issue.
    const why = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new ScrapeConfigError(`${file}: ${name}${field.length > 0 ? `, ${field.join('.')}` : ''}: ${why}`);
  }
  return parsed.data.targets.map((t, i) => toTarget(t, defaults, `${file}: target ${i + 1} (${JSON.stringify(t.job)})`));
}

/** Every configured target: the setting's, then the file's; a target listed twice (same job and URL) once. */
export function loadTargets(list: string | undefined, file: string | undefined, defaults: ScrapeDefaults): Target[] {
  const targets = list ? parseTargetList(list, defaults) : [];
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ScrapeConfigError(`SCRAPE_FILE ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    targets.push(...parseTargetFile(text, file, defaults));
  }
  const seen = new Set<string>();
  const unique = targets.filter((t) => !seen.has(t.id) && seen.add(t.id));
  // Two targets with one job and instance would write the same series (and `up`) over each other.
  const names = new Map<string, string>();
  const shown = (url: string) => (url.includes('?') ? `${url.slice(0, url.indexOf('?'))}?…` : url);
  for (const t of unique) {
    const id = `${t.job} ${t.instance}`;
    const other = names.get(id);
    if (other) throw new ScrapeConfigError(`targets ${other} and ${shown(t.url)} have the same job ${JSON.stringify(t.job)} and instance ${t.instance}: their series would collide; give one of them another job name`);
    names.set(id, shown(t.url));
  }
  if (unique.length > MAX_TARGETS) throw new ScrapeConfigError(`${unique.length} scrape targets; at most ${MAX_TARGETS}`);
  return unique;
}
