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
