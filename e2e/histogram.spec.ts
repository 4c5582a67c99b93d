import { expect, test } from '@playwright/test';
import { Histogram, Registry, Summary } from 'prom-client';
import { panel } from './support/charts';
import { post } from './support/ingest';

/** prom-client's exposition with every sample stamped at `t` (the text format's optional timestamp). */
async function stamped(registry: Registry, t: number): Promise<string> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .map((line) => (line === '' || line.startsWith('#') ? line : `${line} ${t}`))
    .join('\n');
}

/**
 * Ten seconds of a request histogram from prom-client, pushed as text once a second: `/a` answers
 * in 20 ms, `/b` in 300 ms; and a summary of the same `/a` requests.
 */
async function push(baseURL: string): Promise<{ stamp: number; base: string; summary: string }> {
  const stamp = Date.now();
  const base = `e2e_hist_${stamp}_seconds`;
  const summary = `e2e_summ_${stamp}_seconds`;
  const registry = new Registry();
  const histogram = new Histogram({ name: base, help: 'request time', labelNames: ['route'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] });
  const quantiles = new Summary({ name: summary, help: 'request time', percentiles: [0.5, 0.9, 0.99], registers: [registry] });
  for (let k = 0; k < 10; k++) {
    for (let i = 0; i < 5; i++) {
      histogram.observe({ route: '/a' }, 0.02);
      histogram.observe({ route: '/b' }, 0.3);
      quantiles.observe(0.02);
    }
    const res = await post(baseURL, await stamped(registry, stamp - (10 - k) * 1_000), { 'content-type': 'text/plain; version=0.0.4' });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
  }
  return { stamp, base, summary };
}

for (const size of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`a prom-client histogram is one panel of quantiles and mean in time units, with a heatmap (${size.name})`, async ({ page, baseURL }) => {
    await page.setViewportSize(size);
    const { stamp, base, summary } = await push(baseURL!);
    await page.goto(`/?window=1m&q=${stamp}`);
    await expect(page.getByTestId('status')).toHaveText('Live');

    // One panel for the histogram (no _bucket, _sum or _count panels) and one for the summary.
    await expect(page.locator('section.panel')).toHaveCount(2);
    const hist = panel(page, `histogram:${base}`);
    await hist.scrollIntoViewIfNeeded();
    await expect(hist.locator('h2')).toHaveText(base);
    const labels = hist.locator('tbody .legend-label');
    await expect(labels).toHaveText(['p50 route=/a', 'p90 route=/a', 'p99 route=/a', 'mean route=/a', 'p50 route=/b', 'p90 route=/b', 'p99 route=/b', 'mean route=/b']);

    // Interpolated in the bucket as histogram_quantile does: /a's 20 ms requests sit in (10, 25] ms.
    const value = (label: string) => hist.locator('tbody tr', { has: page.getByText(label, { exact: true }) }).getByTestId('value');
    await expect(value('p50 route=/a')).toHaveText('17.5 ms');
    await expect(value('mean route=/a')).toHaveText('20 ms');
    await expect(value('p50 route=/b')).toHaveText('375 ms');
    await expect(value('p99 route=/b')).toHaveText('498 ms');
    await expect(value('mean route=/b')).toHaveText('300 ms');
    // The axis is in time units, not a percentage of anything.
    await expect(hist.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').last()).toHaveText(/^[\d.]+ (ms|s)$/);
    await expect(hist.locator('.recharts-line-curve')).toHaveCount(8);

    // The heatmap: bucket rows ordered by bound, cells where the requests fell.
    await hist.getByRole('button', { name: 'Heatmap' }).click();
    const map = hist.getByTestId('heatmap');
    await expect(map).toBeVisible();
    await expect(hist.getByRole('button', { name: 'Heatmap' })).toHaveAttribute('aria-pressed', 'true');
    // Kept in the URL: a link shows the heatmap.
    await expect(page).toHaveURL(new RegExp(`[?&]p\\.histogram%3A${base}=heatmap(&|$)`));
    const rows = await map.locator('text').allTextContents();
    expect(rows.filter((t) => t.startsWith('≤'))).toEqual(['≤ 10 ms', '≤ 25 ms', '≤ 50 ms', '≤ 100 ms', '≤ 250 ms', '≤ 500 ms', '≤ 1 s', '≤ +Inf']);
    const cells = map.locator('rect');
    expect(await cells.count()).toBeGreaterThan(0);
    // Only the two buckets requests fell in have cells: (10, 25] ms and (250, 500] ms.
    const titles = await cells.evaluateAll((els) => [...new Set(els.map((el) => el.querySelector('title')?.textContent?.split(':')[0]))]);
    expect(titles.sort()).toEqual(['10 ms – 25 ms', '250 ms – 500 ms']);
    // Its width never exceeds the panel's.
    const [mapBox, panelBox] = [await map.boundingBox(), await hist.boundingBox()];
    expect(mapBox!.width).toBeLessThanOrEqual(panelBox!.width);
    await hist.getByRole('button', { name: 'Heatmap' }).click();
    await expect(hist.locator('.recharts-line-curve')).toHaveCount(8);

    // The filter narrows it to one route's lines.
    await page.goto(`/?window=1m&q=${encodeURIComponent(`${stamp} route=/b`)}`);
    await expect(labels).toHaveText(['p50 route=/b', 'p90 route=/b', 'p99 route=/b', 'mean route=/b']);

    // A filter on the computed lines: the means alone, the histogram still one panel (its buckets
    // come with it), and the summary's mean beside it.
    await page.goto(`/?window=1m&q=${encodeURIComponent(`${stamp} stat=mean`)}`);
    await expect(page.locator('section.panel')).toHaveCount(2);
    await expect(panel(page, `summary:${summary}`).locator('tbody .legend-label')).toHaveText(['mean']);
    await expect(panel(page, `histogram:${base}`).locator('tbody .legend-label')).toHaveText(['mean route=/a', 'mean route=/b']);
    await expect(panel(page, `histogram:${base}`).getByTestId('value').first()).toHaveText('20 ms');

    // A summary: its own quantiles and the mean, in time units.
    await page.goto(`/?window=1m&q=${summary}`);
    const summ = panel(page, `summary:${summary}`);
    await expect(summ.locator('tbody .legend-label')).toHaveText(['p50', 'p90', 'p99', 'mean']);
    await expect(summ.locator('tbody tr').last().getByTestId('value')).toHaveText('20 ms');
    // The page is no wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
  });
}
