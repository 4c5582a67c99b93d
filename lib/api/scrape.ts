import 'server-only';
import type { DataView } from '@/lib/access';
import { getRuntime } from '@/lib/runtime';
import type { TargetStatus } from '@/lib/scrape';
import { toSeriesKey } from '@/lib/series';

/** The scrape targets a view may see: those whose `up` series is within its scope. */
export function visibleTargets(view: Pick<DataView, 'visible'>): TargetStatus[] {
  const { scraper } = getRuntime();
  if (!scraper) return [];
  return scraper.status().filter((t) => view.visible(toSeriesKey('up', { ...t.labels, instance: t.instance, job: t.job })));
}

/** `GET /api/scrape`: every target with its health, last error, duration and samples. */
export function scrapeTargets(view: DataView): Response {
  return Response.json({ targets: visibleTargets(view) }, { headers: { 'Cache-Control': 'no-store' } });
}
