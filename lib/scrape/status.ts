/** A target as `/api/scrape` and the dashboard show it. */
export interface TargetStatus {
  job: string;
  instance: string;
  /** The labels configured for it (on its `up` too). */
  labels: Record<string, string>;
  /** The URL without its query (which may hold a secret). */
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** `unknown`: not scraped yet (or, with Redis, its scraper not heard from). */
  health: 'up' | 'down' | 'unknown';
  lastError: string | null;
  /** When the last scrape started (ms since the epoch), how long it took, what it brought. */
  lastScrape: number | null;
  durationMs: number | null;
  samples: number | null;
  /** The instance that scrapes it (with Redis, one at a time). */
  scrapedBy: string | null;
  /** Scrapes skipped because the one before was still running. */
  skipped: number;
}
