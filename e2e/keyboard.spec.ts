import { expect, test, type Page } from '@playwright/test';
import { panel } from './support/charts';

const focused = (page: Page) => page.locator(':focus');

/** Tabs once and checks where focus landed, and that it shows. */
async function tabTo(page: Page, name: string | RegExp): Promise<void> {
  await page.keyboard.press('Tab');
  await expect(focused(page)).toHaveAccessibleName(name);
  expect(await focused(page).evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
}

test('every control can be reached and used with the keyboard alone, in page order, with visible focus', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(panel(page, 'cpu').locator('.recharts-line-curve').first()).toBeVisible();

  await tabTo(page, 'Metrics');
  await tabTo(page, '1m');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\?window=1m$/);
  await expect(page.getByRole('link', { name: '1m', exact: true })).toHaveAttribute('aria-current', 'page');
  await tabTo(page, '5m');
  await tabTo(page, '15m');
  await tabTo(page, '1h');

  await tabTo(page, 'Pause');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  // The same button, now the way back: focus stays on it.
  await expect(focused(page)).toHaveAccessibleName('Back to live');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mode')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mode')).toHaveCount(0);

  await tabTo(page, 'Range…');
  await page.keyboard.press('Enter');
  await tabTo(page, 'From');
  await page.keyboard.press('Shift+Tab');
  await expect(focused(page)).toHaveAccessibleName('Range…');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('From', { exact: true })).toBeHidden();

  await tabTo(page, 'Filter metrics by name or label');
  await page.keyboard.type('load_average');
  await expect(page.locator('section.panel h2')).toHaveText(['Load average']);

  await tabTo(page, /^Theme: System/);
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  // Each section's heading is a button that collapses it.
  await tabTo(page, 'CPU 1 chart');
  await tabTo(page, 'Load average');
  // Display options: opened, changed and closed from the keyboard; focus comes back to the button.
  await tabTo(page, 'Display options of Load average');
  await page.keyboard.press('Enter');
  await expect(focused(page)).toHaveAccessibleName('Stacked');
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(/[?&]p\.load=stack(&|$)/);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('form', { name: 'Display options of Load average' })).toHaveCount(0);
  await expect(focused(page)).toHaveAccessibleName('Display options of Load average (options set)');
  await tabTo(page, 'Save Load average as PNG');
  // The legend's column headers sort it; the lines follow.
  for (const header of ['series', 'now', 'min', 'max', 'mean']) await tabTo(page, header);
  await page.keyboard.press('Enter');
  await expect(panel(page, 'load').getByRole('columnheader', { name: 'mean' })).toHaveAttribute('aria-sort', 'descending');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(focused(page)).toHaveAccessibleName('series');
  await page.keyboard.press('Enter');
  await expect(panel(page, 'load').getByRole('columnheader', { name: 'series' })).toHaveAttribute('aria-sort', 'ascending');
  for (const header of ['now', 'min', 'max', 'mean']) await tabTo(page, header);
  await tabTo(page, '1m');
  await page.keyboard.press('Space');
  await expect(panel(page, 'load').getByRole('button', { name: '1m' })).toHaveAttribute('aria-pressed', 'false');
  await tabTo(page, '5m');
  await tabTo(page, '15m');
});
