import { expect, test, type Page } from '@playwright/test';
import { dragAcross, panel, plotPoint, xTicks } from './support/charts';
import { postPoints } from './support/ingest';
import { pointsOf } from './support/state';

const values = (page: Page) => page.getByTestId('value').allTextContents();


// Wide enough for the CPU and memory sections' first charts on one screen (charts are drawn once in view).
test.use({ viewport: { width: 1440, height: 1000 } });

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
  // The newest point's time, not the count: a full window drops a point for each one it gets.
  const newest = async () => (await pointsOf(page, key)).at(-1)?.[0] ?? 0;
  const stored = await newest();
  const updated = await page.getByTestId('last-update').textContent();
  await expect.poll(newest, { timeout: 3_000 }).toBeGreaterThan(stored);
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
  const middle = await plotPoint(memory, 0.5);
  await page.mouse.dblclick(middle.x, middle.y);
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
  await expect(page.getByTestId('window-note')).toHaveCount(0);
});

test('a window beyond the history kept shows all that is kept and says so; a malformed one says so too', async ({ page }) => {
  await page.goto('/?window=2h');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(page.getByTestId('window-note')).toHaveText('Window "2h" is more than the 1h of history kept: showing 1h.');
  await expect(page.getByRole('link', { name: '1h', exact: true })).toHaveAttribute('aria-current', 'page');
  await page.goto('/?window=soon');
  await expect(page.getByTestId('window-note')).toHaveText('Window "soon" is not a duration such as 30m, 6h or 7d: showing 5m.');
  await expect(page.getByRole('link', { name: '5m', exact: true })).toHaveAttribute('aria-current', 'page');
});

test('a custom range within the retained history, typed in local time, is shown paused, from the server when older than the window', async ({ page, baseURL }) => {
  const name = `e2e_range_${Date.now()}`;
  const now = Date.now();
  // Twenty minutes of history from half an hour ago: older than the 1m window the page loads.
  const points = Array.from({ length: 21 }, (_, i) => ({ name, value: i, timestamp: now - 30 * 60_000 + i * 60_000 }));
  expect((await postPoints(baseURL!, points)).status).toBe(202);
  await page.goto(`/?window=1m&q=${name}`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  // Nothing of it in the last minute: no chart yet.
  await expect(page.getByRole('heading', { name: `No chart matches “${name}”` })).toBeVisible();
  const chart = panel(page, `metric:${name}`);

  const local = (t: number) => new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  const from = now - 25 * 60_000 - 30_000;
  const to = now - 15 * 60_000 + 30_000;
  await page.getByText('Range…').click();
  await page.getByLabel('From', { exact: true }).fill(local(from));
  await page.getByLabel('To', { exact: true }).fill(local(to));
  await page.getByRole('button', { name: 'Show' }).click();

  await expect(page.getByTestId('mode')).toHaveText('Paused');
  await expect(page).toHaveURL(new RegExp(`[?&]from=${Math.floor(from / 1000)}\\d{3}&to=${Math.floor(to / 1000)}\\d{3}`));
  // The points of that range: 5 … 15, the newest of them the legend's "now".
  await expect(chart.getByTestId('value')).toHaveText('15');
  await expect(chart.getByTestId('min')).toHaveText('5');
  await expect(chart.locator('.recharts-line-curve')).toHaveAttribute('d', /\d/);

  await page.getByText('Range…').click();
  await page.getByLabel('From', { exact: true }).fill(local(now - 2 * 86_400_000));
  await page.getByRole('button', { name: 'Show' }).click();
  // The oldest point held (this test's first, half an hour ago), not now minus the retention.
  await expect(page.locator('.range-form').getByRole('alert')).toHaveText(`History starts at ${local(now - 30 * 60_000).replace('T', ' ')}.`);
});

test('pausing at 1440 px keeps the header on one line: the charts do not move', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const header = async () => (await page.locator('.topbar').boundingBox())!.height;
  const grid = async () => (await page.locator('main').boundingBox())!.y;
  const [h, y] = [await header(), await grid()];
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('mode')).toHaveText('Paused');
  expect(await header()).toBe(h);
  expect(await grid()).toBe(y);
});

/** WCAG contrast ratio of two CSS colours `rgb(r, g, b)`. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the focus ring on the selected window stands out from its fill (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('/');
    const selected = page.locator('.window-link[aria-current="page"]');
    await selected.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(selected).toBeFocused();
    const style = await selected.evaluate((el) => {
      const s = getComputedStyle(el);
      return { ring: s.outlineColor, fill: s.backgroundColor, width: s.outlineWidth, offset: s.outlineOffset, style: s.outlineStyle };
    });
    expect(style.style).toBe('solid');
    // Drawn inside the link (its group clips what is outside), in a colour at least 3:1 against the fill.
    expect(parseFloat(style.offset)).toBeLessThan(0);
    expect(contrast(style.ring, style.fill)).toBeGreaterThanOrEqual(3);
  });
}
