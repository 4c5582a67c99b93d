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

  await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill('host_memory');
  await expect(page.locator('section.panel h2')).toHaveText(['Host memory']);
  await expect(page).toHaveURL(/\?window=1m&q=host_memory$/);

  const memory = panel(page, 'memory');
  await expect(memory.locator('.recharts-line-curve').first()).toBeVisible();
  await dragAcross(page, memory, 0.7, 0.98);
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await expect(page).toHaveURL(/\?window=1m&from=\d+&to=\d+&q=host_memory$/);
  const link = page.url();
  const range = await page.getByTestId('range').textContent();
  const ticks = await xTicks(memory);

  // The link, opened elsewhere: same filter, same paused range, same axis.
  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByRole('searchbox', { name: 'Filter metrics by name or label' })).toHaveValue('host_memory');
  await expect(other.locator('section.panel h2')).toHaveText(['Host memory']);
  await expect(other.getByTestId('mode')).toHaveText('Paused');
  await expect(other.getByTestId('range')).toHaveText(range!);
  await expect.poll(() => xTicks(panel(other, 'memory'))).toEqual(ticks);
  await expect(panel(other, 'memory').locator('.recharts-line-curve').first()).toHaveAttribute('d', /\d/);

  // Back to live keeps the window and the filter.
  await other.getByRole('button', { name: 'Back to live' }).click();
  await expect(other).toHaveURL(/\?window=1m&q=host_memory$/);
  await other.getByRole('link', { name: '15m', exact: true }).click();
  await expect(other).toHaveURL(/\?window=15m&q=host_memory$/);
  await expect(other.getByRole('searchbox', { name: 'Filter metrics by name or label' })).toHaveValue('host_memory');
});

test('a chart can be saved as a PNG of its own size, twice the pixels, with its title, instance, range and legend', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const cpu = panel(page, 'cpu');
  await expect(cpu.locator('.recharts-line-curve').first()).toBeVisible();
  const size = (await cpu.locator('svg.recharts-surface').boundingBox())!;
  const labels = await cpu.locator('tbody tr:not([data-hidden]) .legend-label').allTextContents();
  // The colour of the legend's first line, as the page draws it.
  const firstColour = await cpu.locator('tbody tr:not([data-hidden]) .swatch line').first().evaluate((el) => getComputedStyle(el).stroke);

  const [download] = await Promise.all([page.waitForEvent('download'), cpu.getByRole('button', { name: 'Save Host CPU as PNG' }).click()]);
  expect(download.suggestedFilename()).toBe('pulseboard-host-cpu.png');
  const png = await readFile((await download.path())!);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  // IHDR: width and height, big-endian, at bytes 16 and 20: title, instance and range add 46 px on top, the legend a row below.
  expect(png.readUInt32BE(16)).toBe(Math.ceil(size.width * 2));
  const height = png.readUInt32BE(20);
  expect(height).toBeGreaterThanOrEqual(Math.ceil((size.height + 46 + 18) * 2));
  expect(png.length).toBeGreaterThan(5_000);

  // The file says what it shows: tEXt chunks with the title, the instance and the range and lines.
  const text: Record<string, string> = {};
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (type === 'tEXt') {
      const [k, v] = png.subarray(at + 8, at + 8 + length).toString('latin1').split('\0');
      text[k!] = v!;
    }
    at += 12 + length;
  }
  expect(text.Title).toBe('Host CPU');
  expect(text.Source).toBe('Pulseboard (e2e)');
  expect(text.Description).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d to \\d\\d:\\d\\d:\\d\\d UTC[+-]\\d\\d:\\d\\d; lines: ${labels.join(', ')}$`));

  // The legend is drawn: each line's swatch in its colour, below the chart.
  const colours = await page.evaluate(
    async ({ data, top }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      // The first swatch: x 12–28, half a row (9 px) below the legend's top, twice the pixels.
      return [...ctx.getImageData(20 * 2, (top + 4 + 9) * 2, 1, 1).data].slice(0, 3);
    },
    { data: png.toString('base64'), top: 46 + size.height },
  );
  const expected = (firstColour.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  colours.forEach((c, i) => expect(Math.abs(c - expected[i]!), `channel ${i}: ${colours} vs ${firstColour}`).toBeLessThanOrEqual(3));
});
