import { describe, expect, it } from 'vitest';
import { layoutPanels } from '@/lib/dashboard';
import { filterPanels } from '@/lib/dashboard/filter';
import { parseView } from '@/lib/dashboard/view';
import type { Sample } from '@/lib/series';
import { Store } from '@/lib/store';
import { seriesMeta, type Snapshot } from '@/lib/wire';
import { dashboardSnapshot } from './dashboard';

const NOW = Date.now();
const HOUR = 3_600_000;
const limits = { maxLength: 4096, maxTerms: 64 };

/** A store holding `n` series of each of a few metrics, a point a second for five minutes. */
function storeOf(n: number): Store {
  const store = new Store({ retentionMs: HOUR, maxPointsPerSeries: 1_000, maxSeries: 100_000 });
  const names = ['http_requests_total', 'queue_depth', 'disk_read_bytes'];
  for (let s = 300; s >= 0; s -= 1) {
    const samples: Sample[] = [];
    for (const name of names) for (let i = 0; i < n; i++) samples.push({ series: `${name}{route="/r${i}",code="${200 + (i % 3)}"}`, t: NOW - s * 1_000, v: i });
    store.apply({ id: `e-${s}`, samples });
  }
  return store;
}

const points = (snapshot: Snapshot) => snapshot.series.reduce((n, s) => n + s.points.length, 0);
/** The panels the browser shows for `filter` over the series a snapshot holds. */
const panels = (snapshot: Snapshot, filter: string) =>
  filterPanels(filter)(layoutPanels(snapshot.series.map((s) => seriesMeta(s.key, snapshot.metrics.find((m) => s.key.startsWith(m.name))))));

describe('dashboardSnapshot', () => {
  it('holds at most SNAPSHOT_MAX_POINTS points in all, each series an equal share with its newest point', () => {
    const store = storeOf(400); // 1,200 series × 301 points
    const snapshot = dashboardSnapshot(store, parseView({}, HOUR, limits), { retentionMs: HOUR, maxTotal: 20_000 });
    expect(snapshot.series).toHaveLength(1_200);
    expect(points(snapshot)).toBeLessThanOrEqual(20_000);
    for (const s of snapshot.series) expect(s.points.at(-1)?.[0]).toBe(NOW);
    // Each name described once, whatever its series.
    expect(snapshot.metrics.map((m) => m.name).sort()).toEqual(['disk_read_bytes', 'http_requests_total', 'queue_depth']);
  });

  it('carries only the series of the lines the page’s filter shows, and the browser shows the same panels and lines from them', () => {
    const store = storeOf(50);
    const all = dashboardSnapshot(store, parseView({}, HOUR, limits), { retentionMs: HOUR, maxTotal: 1e9 });
    for (const [q, held] of [['queue', 50], ['code=201', 51], ['disk route=/r1*', 11], ['nothing_like_it', 0], ['requests code=202', 16]] as const) {
      const filtered = dashboardSnapshot(store, parseView({ q }, HOUR, limits), { retentionMs: HOUR, maxTotal: 1e9 });
      expect(filtered.series.length, q).toBe(held);
      expect(panels(filtered, q), q).toEqual(panels(all, q));
    }
    // A filter over the limits is not applied: everything, as the browser then shows.
    const tooLong = dashboardSnapshot(store, parseView({ q: 'x'.repeat(5_000) }, HOUR, limits), { retentionMs: HOUR, maxTotal: 1e9 });
    expect(tooLong.series).toHaveLength(all.series.length);
  });
});
