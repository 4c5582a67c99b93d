import 'server-only';
import { BusUnavailableError, type Batch, type Cursor } from '@/lib/bus';
import type { Env } from '@/lib/env';
import { HttpError } from '@/lib/http';
import { SeriesCache, textToBatch, type ReadPoints } from '@/lib/ingest';
import type { PointLimits, MetricMeta } from '@/lib/schema';
import { toSeriesKey } from '@/lib/series';
import type { Target } from './config';
import { FetchError, scrapeGet } from './fetch';

/** What one scrape of a target came to. */
export interface ScrapeOutcome {
  /** When it started (ms since the epoch): every sample of it is stamped with this time. */
  at: number;
  up: boolean;
  /** Why it failed, in a sentence (never with the target's headers). */
  error: string | null;
  durationMs: number;
  /** Samples the target exposed (before keep/drop). */
  samples: number;
  /** Samples written to the bus. */
  stored: number;
}

export interface ScrapeDeps {
  env: Env;
  limits: PointLimits;
  store: Parameters<typeof textToBatch>[1]['store'];
  storage?: Parameters<typeof textToBatch>[1]['storage'];
  publish(batch: Batch): Promise<Cursor>;
}

// What Pulseboard asks for: the text format its parser reads (OpenMetrics is its superset, read as far as it goes).
const ACCEPT = 'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1';
const ERROR_MAX = 300;

/** The per-target series Prometheus records for every scrape. */
const OWN_METRICS: MetricMeta[] = [
  { name: 'up', unit: 'none', type: 'gauge', help: '1 if the last scrape of the target succeeded, 0 if it failed' },
  { name: 'scrape_duration_seconds', unit: 'seconds', type: 'gauge', help: 'How long the last scrape of the target took' },
  { name: 'scrape_samples_scraped', unit: 'none', type: 'gauge', help: 'Samples the target exposed in its last scrape' },
];

class ScrapeError extends Error {}

/** Why a fetch failed, in a few words: the cause's code (ECONNREFUSED), a timeout, or the message. */
function describeFetchError(err: unknown, target: Target): string {
  if (err instanceof ScrapeError || err instanceof FetchError) return err.message;
  if (err instanceof HttpError) {
    const first = err.issues[0];
    if (err.status === 413) return `more than ${target.maxSamples} samples (maxSamples, SCRAPE_MAX_SAMPLES): nothing of this scrape was stored`;
    return `${err.message}${first ? ` (${first.path}: ${first.message})` : ''}`;
  }
  return `cannot scrape: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * The target's samples as Prometheus labels them: `job` and `instance` set (the target's own
 * become `exported_job`/`exported_instance`), the configured labels added, keep/drop applied,
 * every sample stamped with the scrape's start.
 */
export function relabel(read: ReadPoints, target: Target, at: number): ReadPoints {
  const points: ReadPoints['points'] = [];
  let memo = relabelled.get(target);
  if (!memo) relabelled.set(target, (memo = new WeakMap()));
  for (const p of read.points) {
    const own = p.labels ?? NO_LABELS;
    let out = memo.get(own);
    if (out === undefined) {
      out = relabelOne(p.name, own, target);
      // The parser hands a series read before the same frozen object: its result is kept with it.
      if (Object.isFrozen(own) && own !== NO_LABELS) memo.set(own, out);
    }
    if (out === null) continue;
    points.push({ name: p.name, labels: out, value: p.value, timestamp: at });
  }
  return { points, ...(read.metadata && { metadata: read.metadata }) };
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
// Per target: a parsed labels object (frozen, from the target's series cache) → its labels as stored, or null when dropped.
const relabelled = new WeakMap<Target, WeakMap<object, Record<string, string> | null>>();

function relabelOne(name: string, own: Readonly<Record<string, string>>, target: Target): Record<string, string> | null {
  const labels: Record<string, string> = {};
  for (const k in own) {
    if (!Object.hasOwn(own, k)) continue;
    if (k === 'job' || k === 'instance') labels[`exported_${k}`] = own[k]!;
    else labels[k] = own[k]!;
  }
  for (const k in target.labels) labels[k] = target.labels[k]!;
  labels.job = target.job;
  labels.instance = target.instance;
  if (target.keep || target.drop) {
    const key = toSeriesKey(name, labels);
    if (target.keep && !target.keep.matches(key)) return null;
    if (target.drop?.matches(key)) return null;
  }
  return Object.freeze(labels) as Record<string, string>;
}

/** Publishes `samples` (and `metrics`) in batches of at most INGEST_MAX_POINTS, the size every instance accepts from the bus. */
async function publishAll(batch: Batch, deps: ScrapeDeps): Promise<void> {
  const max = deps.env.INGEST_MAX_POINTS;
  for (let i = 0; i < batch.samples.length || i === 0; i += max) {
    await deps.publish({ samples: batch.samples.slice(i, i + max), ...(i === 0 && batch.metrics && { metrics: batch.metrics }) });
  }
}

// Per target: the series of its last scrapes, read once (Prometheus' scrape cache).
const seriesCaches = new WeakMap<Target, SeriesCache>();

// One limits object per target: the point schemas are built once per limits object.
const targetLimits = new WeakMap<Target, { base: PointLimits; limits: PointLimits }>();
function limitsOf(target: Target, base: PointLimits): PointLimits {
  let entry = targetLimits.get(target);
  if (entry?.base !== base) targetLimits.set(target, (entry = { base, limits: { ...base, maxPoints: target.maxSamples } }));
  return entry.limits;
}

/** Fetches a target once, checks what it exposed through ingest's validation path, and publishes it with `up` and the scrape's own series. */
export async function scrapeOnce(target: Target, deps: ScrapeDeps): Promise<ScrapeOutcome> {
  const at = Date.now();
  const started = performance.now();
  let samples = 0;
  let batch: Batch | null = null;
  let error: string | null = null;
  try {
    const res = await scrapeGet(target.url, {
      headers: { Accept: ACCEPT, 'User-Agent': 'Pulseboard-scraper', 'X-Prometheus-Scrape-Timeout-Seconds': String(target.timeoutMs / 1000), ...target.headers },
      timeoutMs: target.timeoutMs,
      maxBytes: target.maxBodyBytes,
    });
    if (res.status !== 200) throw new ScrapeError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    const type = res.contentType.split(';')[0]!.trim().toLowerCase();
    if (type !== '' && type !== 'text/plain' && type !== 'application/openmetrics-text') {
      throw new ScrapeError(`answered ${JSON.stringify(type.slice(0, 80))}, not the Prometheus text format (text/plain)`);
    }
    const text = res.text;
    if (text.trim() === '') throw new ScrapeError('answered an empty body');
    const limits = limitsOf(target, deps.limits);
    let cache = seriesCaches.get(target);
    if (!cache) seriesCaches.set(target, (cache = new SeriesCache(target.maxSamples + 16)));
    cache.startScrape();
    const read = await textToBatch(text, {
      limits,
      cache,
      env: deps.env,
      store: deps.store,
      storage: deps.storage,
      rewrite: (r) => {
        samples = r.points.length;
        return relabel(r, target, at);
      },
    });
    batch = read.batch;
  } catch (err) {
    error = describeFetchError(err, target).slice(0, ERROR_MAX);
    batch = null;
  }
  const durationMs = performance.now() - started;
  // As Prometheus: the target's labels are on its own series too (a scope on them sees its `up`).
  const own = { ...target.labels, job: target.job, instance: target.instance };
  const ownSamples = [
    { series: toSeriesKey('up', own), t: at, v: error === null ? 1 : 0 },
    { series: toSeriesKey('scrape_duration_seconds', own), t: at, v: durationMs / 1000 },
    { series: toSeriesKey('scrape_samples_scraped', own), t: at, v: samples },
  ];
  const out: Batch = { samples: [...(batch?.samples ?? []), ...ownSamples], metrics: [...(batch?.metrics ?? []), ...OWN_METRICS] };
  let stored = 0;
  try {
    await publishAll(out, deps);
    stored = batch?.samples.length ?? 0;
  } catch (err) {
    const why = BusUnavailableError.is(err) ? err.message : (err as Error).message;
    error ??= `scraped, but not stored: ${why}`.slice(0, ERROR_MAX);
  }
  return { at, up: error === null, error, durationMs, samples, stored };
}
