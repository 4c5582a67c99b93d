import { expect, test, type Page } from '@playwright/test';
import { panel, plotPoint } from './support/charts';
import { postPoints } from './support/ingest';

/** CPU of 50 pods (pod n near n %, so the top by mean is known), a 3-line gauge, and a tenant label of 310 characters. */
async function push(baseURL: string): Promise<{ stamp: number; pods: string; three: string; tenant: string; longValue: string }> {
  const stamp = Date.now();
  const pods = `e2e_many_pod_cpu_${stamp}`;
  const three = `e2e_many_three_${stamp}`;
  const tenant = `e2e_many_tenant_${stamp}`;
  const longValue = `tenant-${'x'.repeat(296)}-end`;
  for (let k = 0; k < 5; k++) {
    const t = stamp - (5 - k) * 1_000;
    const points = [
      ...Array.from({ length: 50 }, (_, n) => ({ name: pods, labels: { pod: `api-${String(n).padStart(2, '0')}` }, value: n + (k % 2) / 10, timestamp: t })),
      ...['a', 'b', 'c'].map((q, i) => ({ name: three, labels: { queue: q }, value: i + k, timestamp: t })),
      { name: tenant, labels: { tenant: longValue }, value: k, timestamp: t },
      { name: tenant, labels: { tenant: 'short' }, value: 2 * k, timestamp: t },
    ];
    expect((await postPoints(baseURL, points)).status).toBe(202);
  }
  return { stamp, pods, three, tenant, longValue };
}

const height = async (page: Page, id: string) => (await panel(page, id).boundingBox())!.height;

for (const size of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`50 series stay legible: same height as 3 lines, the top 10 drawn, a capped sorted tooltip, long labels cut (${size.name})`, async ({ page, baseURL }) => {
    await page.setViewportSize(size);
    const { stamp, pods, three, tenant, longValue } = await push(baseURL!);
    await page.goto(`/?window=1m&q=${stamp}`);
    await expect(page.getByTestId('status')).toHaveText('Live');
    const many = panel(page, `metric:${pods}`);
    await many.scrollIntoViewIfNeeded();
    await expect(many.locator('.recharts-line-curve').first()).toBeVisible();

    // A 50-line panel is exactly as tall as a 3-line one, and its legend scrolls on its own.
    expect(await height(page, `metric:${pods}`)).toBe(await height(page, `metric:${three}`));
    expect(await many.locator('.legend-box').evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);

    // The top 10 by mean are drawn, and the caption says so; draw all brings the other 40.
    await expect(many.getByTestId('legend-caption')).toHaveText(/^showing 10 of 50 — top by mean/);
    await expect(many.locator('.recharts-line-curve')).toHaveCount(10);
    const rows = many.locator('tbody .legend-label');
    await expect(rows.first()).toHaveText('pod=api-49');
    await expect(many.locator('tbody tr:not([data-hidden]) .legend-label')).toHaveText(Array.from({ length: 10 }, (_, i) => `pod=api-${49 - i}`));
    await many.getByRole('button', { name: 'draw all' }).click();
    await expect(many.locator('.recharts-line-curve')).toHaveCount(50);
    await expect(many.getByTestId('legend-caption')).toHaveText(/^all 50 lines drawn/);

    // Sorted by a click on a header: by name, then by name the other way.
    await many.getByRole('button', { name: 'series' }).click();
    await expect(rows.first()).toHaveText('pod=api-00');
    await many.getByRole('button', { name: 'series' }).click();
    await expect(rows.first()).toHaveText('pod=api-49');

    // The tooltip: highest first, at most 10 rows and a count of the rest, within the viewport.
    await many.scrollIntoViewIfNeeded();
    const at = await plotPoint(many, 0.97);
    await page.mouse.move(at.x, at.y);
    const tooltip = many.locator('.tooltip-box');
    await expect(tooltip).toBeVisible();
    await expect(tooltip.locator('li')).toHaveCount(10);
    await expect(tooltip.locator('.tooltip-label').first()).toHaveText('pod=api-49');
    await expect(tooltip.locator('.tooltip-more')).toHaveText('+ 40 more');
    // (The tooltip is drawn again with every point: its box is read once it is there.)
    await expect.poll(async () => (await tooltip.boundingBox())?.width ?? Infinity).toBeLessThanOrEqual(size.width);
    await expect.poll(async () => (await tooltip.boundingBox())?.height ?? Infinity).toBeLessThan(size.height / 2);
    await page.mouse.move(at.x, 5);

    // A 310-character label value: one legend row's height, cut with an ellipsis, whole on hover.
    const long = panel(page, `metric:${tenant}`);
    const longRow = long.locator(`tr[data-series*="${longValue}"]`);
    const shortRow = long.locator('tr[data-series*="short"]');
    expect((await longRow.boundingBox())!.height).toBe((await shortRow.boundingBox())!.height);
    expect(await longRow.locator('.legend-label').evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expect(longRow.getByRole('button')).toHaveAttribute('title', new RegExp(longValue));
    expect((await long.boundingBox())!.width).toBeLessThanOrEqual(size.width);
    // Nothing is wider than the viewport: no horizontal scroll.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
  });
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
  test.use({ colorScheme: theme });
    test(`twelve distinct colours, then the same colours dashed`, async ({ page, baseURL }) => {
      const name = `e2e_palette_${theme}_${Date.now()}`;
      for (let k = 0; k < 3; k++) {
        const points = Array.from({ length: 14 }, (_, n) => ({ name, labels: { n: String(n).padStart(2, '0') }, value: n, timestamp: Date.now() - (3 - k) * 1_000 }));
        expect((await postPoints(baseURL!, points)).status).toBe(202);
      }
      await page.goto(`/?window=1m&q=${name}`);
      const chart = panel(page, `metric:${name}`);
      await chart.getByRole('button', { name: 'draw all' }).click();
      await expect(chart.locator('.recharts-line-curve')).toHaveCount(14);
      // In the legend's order (by name here), line i is the i-th series: n=00 … n=13.
      await chart.getByRole('button', { name: 'series' }).click();
      const strokes = await chart.locator('tbody .swatch line').evaluateAll((lines) => lines.map((l) => [getComputedStyle(l).stroke, l.getAttribute('stroke-dasharray')]));
      const colours = strokes.map(([c]) => c);
      expect(new Set(colours.slice(0, 12)).size).toBe(12);
      expect(strokes.slice(0, 12).every(([, dash]) => dash === null)).toBe(true);
      // The 13th and 14th take the first two colours again, dashed.
      expect(colours[12]).toBe(colours[0]);
      expect(colours[13]).toBe(colours[1]);
      expect(strokes[12]![1]).not.toBeNull();
      const curves = await chart.locator('.recharts-line-curve').evaluateAll((paths) => paths.map((p) => p.getAttribute('stroke-dasharray')));
      expect(curves.filter((d) => d !== null && d !== '' && d !== 'none')).toHaveLength(2);
    });
  });
}
