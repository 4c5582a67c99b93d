import { expect, test, type Page } from '@playwright/test';
import { dragAcross, panel, xTicks } from './support/charts';
import { pointsOf } from './support/state';

const values = (page: Page) => page.getByTestId('value').allTextContents();

test('dragging a range zooms every chart and pauses while data keeps arriving; back to live resumes', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(page.getByTestId('mode')).toHaveCount(0);
  const cpu = panel(page, 'cpu');
  const memory = panel(page, 'memory');
  await expect(memory.locator('.recharts-line-curve').first()).toBeVisible();
  const before = await xTicks(memory);

  await dragAcross(page, cpu, 0.6, 0.95);
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await expect(page.getByTestId('range')).toHaveText(/^\d\d:\d\d:\d\d–\d\d:\d\d:\d\d$/);
  await expect(page).toHaveURL(/[?&]from=\d+&to=\d+/);
  // Every chart shows the dragged range: the memory chart's axis changed and matches the CPU chart's.
  await expect.poll(() => xTicks(memory)).not.toEqual(before);
  expect(await xTicks(memory)).toEqual(await xTicks(cpu));
  const url = new URL(page.url());
  const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
  expect(span).toBeGreaterThan(0.25 * 300_000);
  expect(span).toBeLessThan(0.45 * 300_000);

  // Paused: the figures hold still while new points keep arriving underneath.
  const held = await values(page);
  const key = (await memory.locator('tbody tr').first().getAttribute('data-series'))!;
  const stored = (await pointsOf(page, key)).length;
  const updated = await page.getByTestId('last-update').textContent();
  await expect.poll(async () => (await pointsOf(page, key)).length, { timeout: 3_000 }).toBeGreaterThan(stored);
  await expect(page.getByTestId('last-update')).not.toHaveText(updated!);
  expect(await values(page)).toEqual(held);

  await page.getByRole('button', { name: 'Back to live' }).click();
  await expect(page.getByTestId('mode')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page).not.toHaveURL(/from=/);
  await expect.poll(async () => (await values(page)).join('|'), { timeout: 3_000 }).not.toBe(held.join('|'));

  // The Pause button pauses on the current window; a double-click on a chart returns to live.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await memory.locator('.recharts-cartesian-grid').dblclick();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByTestId('mode')).toHaveCount(0);
});

test('window presets go up to the retention, a custom window within it is kept, and picking one goes live', async ({ page }) => {
  await page.goto('/?window=30m');
  const windows = page.getByRole('navigation', { name: 'Time window' }).getByRole('link');
  // The e2e server keeps the default hour of history: 6h and beyond are not offered.
  await expect(windows).toHaveText(['1m', '5m', '15m', '1h', '30m']);
  await expect(page.getByRole('link', { name: '30m' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('status')).toHaveText('Live');

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await page.getByRole('link', { name: '15m', exact: true }).click();
  await expect(page).toHaveURL(/\?window=15m$/);
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(page.getByRole('link', { name: '15m', exact: true })).toHaveAttribute('aria-current', 'page');
});
