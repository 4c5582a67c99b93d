import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { dragAcross, panel, xTicks } from './support/charts';

test('the window, the paused range and the metric filter live in the URL: a link reproduces the view', async ({ page, context, request }) => {
  // The drag below takes the last 30 % of a 1-minute window: the server must hold that much.
  await expect.poll(async () => ((await (await request.get('/api/health')).json()) as { uptimeSeconds: number }).uptimeSeconds, { timeout: 30_000 }).toBeGreaterThan(20);
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await page.getByRole('link', { name: '1m', exact: true }).click();
  await expect(page).toHaveURL(/\?window=1m$/);

  await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill('memory');
  await expect(page.locator('section.panel h2')).toHaveText(['Host memory', 'Pulseboard memory']);
  await expect(page).toHaveURL(/\?window=1m&q=memory$/);

  const memory = panel(page, 'memory');
  await expect(memory.locator('.recharts-line-curve').first()).toBeVisible();
  await dragAcross(page, memory, 0.7, 0.98);
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await expect(page).toHaveURL(/\?window=1m&from=\d+&to=\d+&q=memory$/);
  const link = page.url();
  const range = await page.getByTestId('range').textContent();
  const ticks = await xTicks(memory);

  // The link, opened elsewhere: same filter, same paused range, same axis.
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByRole('searchbox', { name: 'Filter metrics by name or label' })).toHaveValue('memory');
  await expect(other.locator('section.panel h2')).toHaveText(['Host memory', 'Pulseboard memory']);
  await expect(other.getByTestId('mode')).toHaveText('Paused');
  await expect(other.getByTestId('range')).toHaveText(range!);
  await expect.poll(() => xTicks(panel(other, 'memory'))).toEqual(ticks);
  await expect(panel(other, 'memory').locator('.recharts-line-curve').first()).toHaveAttribute('d', /\d/);

  // Back to live keeps the window and the filter.
  await other.getByRole('button', { name: 'Back to live' }).click();
  await expect(other).toHaveURL(/\?window=1m&q=memory$/);
  await other.getByRole('link', { name: '15m', exact: true }).click();
  await expect(other).toHaveURL(/\?window=15m&q=memory$/);
  await expect(other.getByRole('searchbox', { name: 'Filter metrics by name or label' })).toHaveValue('memory');
});

test('a chart can be saved as a PNG of its own size, twice the pixels', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const cpu = panel(page, 'cpu');
  await expect(cpu.locator('.recharts-line-curve').first()).toBeVisible();
  const size = (await cpu.locator('svg.recharts-surface').boundingBox())!;

  const [download] = await Promise.all([page.waitForEvent('download'), cpu.getByRole('button', { name: 'Save Host CPU as PNG' }).click()]);
  expect(download.suggestedFilename()).toBe('pulseboard-host-cpu.png');
  const png = await readFile((await download.path())!);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  // IHDR: width and height, big-endian, at bytes 16 and 20 (the title adds 32 px on top).
  expect(png.readUInt32BE(16)).toBe(Math.ceil(size.width * 2));
  expect(png.readUInt32BE(20)).toBe(Math.ceil((size.height + 32) * 2));
  expect(png.length).toBeGreaterThan(5_000);
});
