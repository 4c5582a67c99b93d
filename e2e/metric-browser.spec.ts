import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { postPoints } from './support/ingest';
import { dragAcross, panel } from './support/charts';

test('the metric browser finds metrics by name and by label, and links to their pages', async ({ page, baseURL }) => {
  const name = `e2e_browse_${Date.now()}`;
  const now = Date.now();
  expect((await postPoints(baseURL!, [{ name, labels: { region: 'eu' }, value: 1, timestamp: now }, { name, labels: { region: 'us' }, value: 2, timestamp: now }])).status).toBe(202);

  await page.goto('/');
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page).toHaveURL(/\/metrics$/);
  await expect(page.getByRole('link', { name: 'host_cpu_utilization_ratio' })).toBeVisible();

  const search = page.getByRole('searchbox', { name: 'Search metrics by name or label' });
  await search.fill(name.slice(0, -3));
  await search.press('Enter');
  await expect(page).toHaveURL(/\/metrics\?q=e2e_browse_/);
  await expect(page.locator('.metric-list li')).toHaveCount(1);
  await expect(page.locator('.metric-list li')).toContainText('2 series · labels: region');

  // As typed, without Enter (as the dashboard's filter does).
  await search.fill('region=us');
  await expect(page).toHaveURL(/\/metrics\?q=region%3Dus$/);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.getByRole('link', { name: 'host_cpu_utilization_ratio' })).toHaveCount(0);
  await search.fill('region=asia');
  await search.press('Enter');
  await expect(page.getByTestId('metric-count')).toHaveText('0 metrics matching “region=asia”');

  await search.fill(name);
  await search.press('Enter');
  await page.getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/metrics/${name}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
});

test('the metric browser shows a counter as its rate, not its running total', async ({ page, baseURL }) => {
  const name = `e2e_browse_requests_${Date.now()}_total`;
  const now = Date.now();
  // 1,000,000 requests so far, 50 more per second.
  expect((await postPoints(baseURL!, [0, 1, 2].map((k) => ({ name, value: 1_000_000 + 50 * k, timestamp: now - (2 - k) * 1_000 })))).status).toBe(202);
  await page.goto(`/metrics?q=${name}`);
  await expect(page.locator(`.metric-list li[data-metric="${name}"]`)).toContainText('counter · 1 series · e.g. 50/s');
});

test("a metric's page has a large chart, its series' last/min/max/mean/p95, and a CSV of the raw history matching the API", async ({ page, baseURL }) => {
  const name = `e2e_detail_${Date.now()}`;
  const now = Date.now();
  const points = [];
  for (let i = 1; i <= 20; i++) {
    points.push({ name, labels: { s: 'a' }, value: i, timestamp: now - (21 - i) * 1_000 });
    points.push({ name, labels: { s: 'b,"odd"' }, value: 0.1 * i + 0.2, timestamp: now - (21 - i) * 1_000 + 1 });
  }
  expect((await postPoints(baseURL!, points)).status).toBe(202);

  await page.goto(`/metrics/${name}?window=1m`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  const chart = panel(page, `metric:${name}`);
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
  expect((await chart.locator('svg.recharts-surface').boundingBox())!.height).toBeGreaterThan(300);

  const row = page.locator(`.series-table tr[data-series='${name}{s="a"}']`);
  await expect(row.getByTestId('last')).toHaveText('20');
  await expect(row.getByTestId('min')).toHaveText('1');
  await expect(row.getByTestId('max')).toHaveText('20');
  await expect(row.getByTestId('mean')).toHaveText('10.5');
  await expect(row.getByTestId('p95')).toHaveText('19');
  await expect(row.getByTestId('count')).toHaveText('20');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe(`${name}.csv`);
  const csv = await readFile((await download.path())!, 'utf8');
  const [header, ...rows] = csv.trimEnd().split('\r\n');
  expect(header).toBe('series,timestamp_ms,time_utc,value');
  const fromCsv = new Map<string, Array<[number, number]>>();
  for (const line of rows) {
    const m = /^("(?:[^"]|"")*"|[^,]*),(\d+),([^,]+),(.+)$/.exec(line)!;
    const key = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!;
    expect(new Date(Number(m[2])).toISOString()).toBe(m[3]);
    fromCsv.set(key, [...(fromCsv.get(key) ?? []), [Number(m[2]), Number(m[4])]]);
  }
  expect([...fromCsv.keys()].sort()).toEqual([`${name}{s="a"}`, `${name}{s="b,\\"odd\\""}`]);
  for (const [key, got] of fromCsv) {
    const res = await fetch(`${baseURL}/api/series/${encodeURIComponent(key)}?window=1h&points=10000`);
    const api = (await res.json()) as { points: Array<[number, number]> };
    expect(got).toEqual(api.points);
    expect(got).toHaveLength(20);
  }
});

for (const size of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`a metric's page works as a dashboard panel does: colour key, legend toggles, zoom, pause, options; readable at ${size.width} px`, async ({ page, baseURL }) => {
    await page.setViewportSize(size);
    const name = `e2e_parity_${Date.now()}`;
    const now = Date.now();
    const tenant = `tenant-${'x'.repeat(296)}-end`;
    const points = [];
    for (let i = 1; i <= 20; i++) {
      points.push({ name, labels: { tenant }, value: i, timestamp: now - (21 - i) * 1_000 });
      points.push({ name, labels: { tenant: 'short' }, value: 2 * i, timestamp: now - (21 - i) * 1_000 });
    }
    expect((await postPoints(baseURL!, points)).status).toBe(202);
    await page.goto(`/metrics/${name}?window=1m`);
    await expect(page.getByTestId('status')).toHaveText('Live');
    const card = panel(page, `metric:${name}`);
    await expect(card.locator('.recharts-line-curve')).toHaveCount(2);

    // The page is no wider than the viewport; the series table's keys are one line each, with a colour key.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    const rows = page.locator('.series-table tbody th');
    for (const th of await rows.all()) {
      expect((await th.boundingBox())!.height).toBeLessThan(40);
      expect((await th.locator('.swatch').boundingBox())!.width).toBeGreaterThan(10);
    }
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(3_000);

    // Legend toggles: a click hides a line.
    await card.getByRole('button', { name: 'tenant=short' }).click();
    await expect(card.locator('.recharts-line-curve')).toHaveCount(1);
    await card.getByRole('button', { name: 'tenant=short' }).click();
    await expect(card.locator('.recharts-line-curve')).toHaveCount(2);

    // Options, kept in the URL.
    await card.getByRole('button', { name: `Display options of ${name}` }).click();
    await card.getByLabel('Stacked').check();
    await expect(page).toHaveURL(new RegExp(`[?&]p\\.metric%3A${name}=stack(&|$)`));
    await card.getByRole('button', { name: 'Close' }).click();

    // Pause and back to live; on a desktop, a drag zooms (and pauses).
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('mode')).toHaveText('Paused');
    await page.getByRole('button', { name: 'Back to live' }).click();
    await expect(page.getByTestId('mode')).toHaveCount(0);
    if (size.name === 'desktop') {
      await dragAcross(page, card, 0.5, 0.9);
      await expect(page.getByTestId('mode')).toHaveText('Paused');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('mode')).toHaveCount(0);
    }
    await expect(page.getByText('Range…')).toBeVisible();
  });
}

test('a metric page narrows its lines with label matchers of the query grammar, kept in the URL, and says why a bad one is not applied', async ({ page, baseURL }) => {
  const name = `e2e_match_${Date.now()}_total`;
  const now = Date.now();
  const points = ['200', '404', '500'].flatMap((status) => ['/a', '/b'].flatMap((route) => [0, 1, 2].map((i) => ({ name, labels: { route, status }, value: i * 10, timestamp: now - (3 - i) * 1_000 }))));
  expect((await postPoints(baseURL!, points)).status).toBe(202);
  const labels = (p: typeof page) => p.locator('section.panel .legend-label').allTextContents();

  await page.goto(`/metrics/${name}`);
  await expect.poll(async () => (await labels(page)).length).toBe(6);
  await page.getByLabel('Lines matching').fill('status="500", route=~"/a*"');
  await page.getByLabel('Lines matching').press('Enter');
  await expect(page).toHaveURL(/match=/);
  await expect.poll(() => labels(page)).toEqual(['route=/a status=500']);
  await expect(page.getByTestId('match-problem')).toHaveCount(0);
  // The series table follows, and the window links keep the matchers.
  await expect(page.locator('.series-table tbody tr')).toHaveCount(1);
  await page.getByRole('navigation', { name: 'Time window' }).getByRole('link', { name: '15m' }).click();
  await expect(page).toHaveURL(/window=15m/);
  await expect.poll(() => labels(page)).toEqual(['route=/a status=500']);

  // Braces are optional; != narrows the other way.
  await page.goto(`/metrics/${name}?match=${encodeURIComponent('{status!="200"}')}`);
  await expect.poll(async () => (await labels(page)).sort()).toEqual(['route=/a status=404', 'route=/a status=500', 'route=/b status=404', 'route=/b status=500']);

  await page.goto(`/metrics/${name}?match=${encodeURIComponent('status="500"')}${encodeURIComponent(' route')}`);
  await expect(page.getByTestId('match-problem')).toContainText('at character');
  await expect.poll(async () => (await labels(page)).length).toBe(6);
});
