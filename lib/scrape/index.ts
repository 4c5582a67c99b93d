import 'server-only';

export { loadTargets, parseTargetFile, parseTargetList, ScrapeConfigError, MIN_INTERVAL_MS, MAX_TARGETS, type Target, type ScrapeDefaults } from './config';
export { relabel, scrapeOnce, type ScrapeOutcome, type ScrapeDeps } from './scrape';
export { Scraper, type TargetStatus, type ScrapeTotals } from './scraper';
