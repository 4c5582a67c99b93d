import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dragAcross, panel } from './support/charts';

test.use({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test('at phone width (390 px) the dashboard fits: no horizontal scroll, live or paused', async ({ page }) => {
  await page.goto('/?window=1m');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const cpu = panel(page, 'cpu');
  await expect(cpu.locator('.recharts-line-curve').first()).toBeVisible();
  expect((await cpu.boundingBox())!.width).toBeLessThanOrEqual(390);
  expect(await overflow(page)).toBe(0);

  await dragAcross(page, cpu, 0.5, 0.9);
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  expect(await overflow(page)).toBe(0);
  await page.getByRole('button', { name: 'Back to live' }).click();
  await page.getByText('Range…').click();
  await expect(page.getByLabel('From', { exact: true })).toBeInViewport();
  expect(await overflow(page)).toBe(0);
  await page.getByText('Range…').click();

  // Every chart, scrolled through (off-screen ones are drawn when they come into view).
  // A pushed series whose last point leaves the window takes its panel with it meanwhile.
  for (const key of await page.locator('section.panel').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.panel ?? ''))) {
    const section = page.locator(`section.panel[data-panel="${key}"]`);
    if ((await section.count()) === 0) continue;
    await section.scrollIntoViewIfNeeded();
    expect(await overflow(page)).toBe(0);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: process.env.UPDATE_SCREENSHOT ? 'docs/screenshot-phone.png' : 'test-results/phone.png' });
});

test('at phone width the charts below the fold have axes before they are scrolled to: their value range and time span', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  // The last panel drawn from the server's chart (a histogram's or summary's panel, whose code
  // loads after hydration, is drawn by Recharts when it comes, axes and all).
  const id = await page.locator('section.panel:has([data-testid="static-top"])').last().getAttribute('data-panel');
  const last = page.locator(`section.panel[data-panel="${id}"]`);
  // And the very last panel has axes, whichever draws it.
  await expect(page.locator('section.panel').last().locator('[data-testid="static-top"], .recharts-yAxis-tick-labels').first()).toBeAttached();
  // Far below the fold, not scrolled to: still the server's chart, with its ends labelled.
  expect((await last.boundingBox())!.y).toBeGreaterThan(2 * 844);
  await expect(last.getByTestId('static-top')).toHaveText(/\d/);
  await expect(last.getByTestId('static-bottom')).toHaveText(/^0/);
  await expect(last.getByTestId('static-time')).toHaveText(/^\d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC$/);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  // Scrolled to, Recharts' own axes take over.
  await last.scrollIntoViewIfNeeded();
  await expect(last.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').first()).toBeAttached();
});
