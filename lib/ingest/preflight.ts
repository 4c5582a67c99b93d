import 'server-only';
import { clip, HttpError, type Issue } from '@/lib/http';
import type { PointIssue } from '@/lib/points';
import type { Batch, Sample } from '@/lib/schema';

/** What the preflight reads of the store: enough to refuse now what the store would refuse later. */
export interface StoreView {
  has(key: string): boolean;
  /** Time of the newest point held for the series, if any. */
  newest(key: string): number | undefined;
  /** Whether Pulseboard's own collector writes the series: nobody else may. */
  reserved(key: string): boolean;
  readonly size: number;
  readonly maxSeries: number;
}

/**
 * Checks only HTTP ingest can make, against what the store holds now, so a producer hears at once
 * what would not be stored: a series the collector writes (422), a point older than its series'
 * newest (422), more new series than MAX_SERIES leaves room for (429). `from[j]` is the input
 * point of `batch.samples[j]`; `place` turns issues into the answer's.
 */
export function preflight(batch: Batch, from: readonly number[], store: StoreView, place: (issues: PointIssue[]) => Issue[]): void {
  const issues: PointIssue[] = [];
  const seen = new Set<string>();
  // Samples are in time order: the first of each series is its oldest.
  batch.samples.forEach((s: Sample, j) => {
    if (seen.has(s.series)) return;
    seen.add(s.series);
    const path = ['points', from[j] as number];
    if (store.reserved(s.series)) {
      issues.push({ path, message: `${clip(s.series)} is written by Pulseboard's own collector; send it under another name, or with another instance label` });
      return;
    }
    const newest = store.newest(s.series);
    if (newest !== undefined && s.t < newest) {
      issues.push({ path, message: `older than the newest stored point of ${clip(s.series)} (${newest}); points of a series must arrive in time order` });
    }
  });
  if (issues.length > 0) throw new HttpError(422, `${issues.length} invalid point(s); nothing was stored`, place(issues));
  let fresh = 0;
  for (const key of seen) if (!store.has(key)) fresh++;
  if (fresh > 0 && store.size + fresh > store.maxSeries) {
    throw new HttpError(
      429,
      `series cap reached: ${store.size} of MAX_SERIES=${store.maxSeries} series are held and this request adds ${fresh} new one(s). Raise MAX_SERIES, or send fewer distinct label sets; nothing was stored`,
    );
  }
}
