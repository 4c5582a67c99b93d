import 'server-only';
import { LocalLeases, type Leases } from '@/lib/bus/lease';
import type { Target } from './config';
import { scrapeOnce, type ScrapeDeps, type ScrapeOutcome } from './scrape';
import type { TargetStatus } from './status';

export type { TargetStatus };

/** Running totals for `/api/metrics`. */
export interface ScrapeTotals {
  scrapes: number;
  failures: number;
  skipped: number;
}

interface Running {
  target: Target;
  timer: ReturnType<typeof setTimeout> | undefined;
  busy: boolean;
  last: ScrapeOutcome | null;
  holder: string | null;
  skipped: number;
}

/** A scrape outcome another instance shared through Redis, checked and bounded; null for anything else. */
function outcomeFrom(text: string): ScrapeOutcome | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const at = num(o.at);
  if (at === null || typeof o.up !== 'boolean' || !(o.error === null || typeof o.error === 'string')) return null;
  return { at, up: o.up, error: o.error === null ? null : o.error.slice(0, 300), durationMs: num(o.durationMs) ?? 0, samples: Math.max(0, Math.floor(num(o.samples) ?? 0)), stored: Math.max(0, Math.floor(num(o.stored) ?? 0)) };
}

/** Where in its interval a target is scraped: spread by its id, so targets do not all start at once. */
function offsetOf(target: Target): number {
  return Number.parseInt(target.id.slice(0, 8), 16) % target.intervalMs;
}

const publicUrl = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/**
 * Scrapes every target on its own timer: never two scrapes of one target at once (a slow one
 * makes the next wait, counted as skipped), a failing or slow target never delays another.
 * With Redis, each scrape first claims the target's lease (held for two intervals past its
 * timeout): one instance scrapes it, another takes over when that one stops renewing.
 */
export class Scraper {
  private readonly running = new Map<string, Running>();
  private stopped = false;
  readonly totals: ScrapeTotals = { scrapes: 0, failures: 0, skipped: 0 };

  constructor(
    targets: readonly Target[],
    private readonly deps: ScrapeDeps,
    private readonly leases: Leases = new LocalLeases(''),
  ) {
    for (const target of targets) this.add(target);
  }

  private add(target: Target): void {
    const r: Running = { target, timer: undefined, busy: false, last: null, holder: null, skipped: 0 };
    this.running.set(target.id, r);
    const first = Math.min(offsetOf(target), 1_000);
    r.timer = setTimeout(() => this.tick(r), first);
    r.timer.unref?.();
  }

  private schedule(r: Running): void {
    if (this.stopped) return;
    // Aligned to the interval from the target's offset: a slow scrape does not shift the next.
    const wait = r.target.intervalMs - ((Date.now() - offsetOf(r.target)) % r.target.intervalMs);
    r.timer = setTimeout(() => this.tick(r), wait);
    r.timer.unref?.();
  }

  private tick(r: Running): void {
    if (this.stopped) return;
    this.schedule(r);
    if (r.busy) {
      r.skipped++;
      this.totals.skipped++;
      return;
    }
    r.busy = true;
    void this.scrape(r).finally(() => (r.busy = false));
  }

  private async scrape(r: Running): Promise<void> {
    const { target } = r;
    const claim = await this.leases.claim(`scrape:${target.id}`, 2 * target.intervalMs + target.timeoutMs);
    r.holder = claim.holder;
    if (!claim.mine) {
      // Another instance scrapes it: show what it last saw.
      const shared = await this.leases.shared(`scrape:${target.id}`);
      r.last = shared ? outcomeFrom(shared) : r.last;
      return;
    }
    const outcome = await scrapeOnce(target, this.deps);
    if (this.stopped) return;
    r.last = outcome;
    this.totals.scrapes++;
    if (!outcome.up) this.totals.failures++;
    await this.leases.share(`scrape:${target.id}`, JSON.stringify(outcome));
  }

  /** Every target's state, in configuration order. */
  status(): TargetStatus[] {
    const now = Date.now();
    return [...this.running.values()].map(({ target, last, holder, skipped }) => {
      // Not heard of for two intervals past its timeout (its scraper gone, Redis away): not known.
      const fresh = last !== null && now - last.at <= 2 * target.intervalMs + target.timeoutMs;
      return {
        job: target.job,
        instance: target.instance,
        labels: target.labels,
        url: publicUrl(target.url),
        intervalMs: target.intervalMs,
        timeoutMs: target.timeoutMs,
        health: !fresh ? 'unknown' : last.up ? 'up' : 'down',
        lastError: last?.error ?? null,
        lastScrape: last?.at ?? null,
        durationMs: last ? Math.round(last.durationMs * 10) / 10 : null,
        samples: last?.samples ?? null,
        scrapedBy: holder,
        skipped,
      };
    });
  }

  get size(): number {
    return this.running.size;
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.running.values()) clearTimeout(r.timer);
  }
}
