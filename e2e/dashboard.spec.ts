import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { panel } from './support/charts';

/** Console errors, uncaught exceptions and failed requests of a page, for a final "none" assertion. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  // A failed request is reported with its URL; the browser's own console line for it says less.
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

const allValues = (page: Page) => page.getByTestId('value').allTextContents();

test('the first response carries the numbers and the charts, before any JavaScript runs', async ({ request }) => {
  // A server that has just started has a reading or two; a chart needs two points.
  let html = '';
  await expect
    .poll(async () => (html = await (await request.get('/')).text()).match(/<polyline points="[^" ]* [^"]*"/) !== null, { timeout: 5_000 })
    .toBe(true);
  expect(html).toContain('Host CPU');
  expect(html).toContain('Host memory');
  expect(html).toMatch(/data-testid="value">[\d.,]+ (?:KB|MB|GB)</);
  expect(html).toMatch(/data-testid="value">[\d.,]+ %</);
  expect(html).toMatch(/<polyline points="[\d.]+,[\d.]+ [\d.]+,[\d.]+/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the dashboard is readable', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Host CPU' })).toBeVisible();
    await expect(page.getByRole('img', { name: 'Host memory chart' })).toBeVisible();
    const values = await allValues(page);
    expect(values.filter((v) => v !== '–').length).toBeGreaterThan(5);
  });
});

test('the dashboard goes live and its values change within 3 s, with no console errors', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  // Recharts has replaced the server-drawn SVG.
  await expect(page.locator('.recharts-line-curve').first()).toBeVisible();
  const first = (await allValues(page)).join('|');
  await expect.poll(async () => (await allValues(page)).join('|'), { timeout: 3_000, intervals: [200] }).not.toBe(first);
  await expect(page.getByTestId('last-update')).toHaveText(/updated \d\d:\d\d:\d\d/);

  await page.getByRole('link', { name: '1m', exact: true }).click();
  await expect(page).toHaveURL(/window=1m/);
  await expect(page.getByRole('link', { name: '1m', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('status')).toHaveText('Live');

  mkdirSync('test-results', { recursive: true });
  await page.setViewportSize({ width: 1440, height: 1000 });
  // Charts off screen wait to be drawn: scroll the page through once for the full-page picture (by
  // position, not panel by panel: a panel whose series left the window meanwhile is gone).
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < Math.min(height, 50_000); y += 600) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(50);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: process.env.UPDATE_SCREENSHOT ? 'docs/screenshot.png' : 'test-results/dashboard.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a count (open streams) has whole-number axis ticks, not quarters', async ({ page }) => {
  await page.goto('/?window=1m');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const streams = panel(page, 'streams');
  await streams.scrollIntoViewIfNeeded();
  await expect(streams.locator('.recharts-line-curve').first()).toBeVisible();
  const ticks = await streams.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  for (const tick of ticks) expect(tick.trim()).toMatch(/^\d+$/);
});
