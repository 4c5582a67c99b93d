import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

/** WCAG 2.x A and AA rules that axe-core can check automatically. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });
    test('the dashboard passes axe checks of roles, names and contrast, live and paused', async ({ page, baseURL }) => {
      // A stale line too, so its tag is checked.
      const t = Date.now() - 20_000;
      const stale = [{ name: 'e2e_axe_stale', value: 1, timestamp: t }, { name: 'e2e_axe_stale', value: 2, timestamp: t + 1_000 }];
      expect((await postPoints(baseURL!, stale)).status).toBe(202);
      await page.goto('/');
      await expect(page.locator('.stale-tag').first()).toBeVisible();
      await expect(page.getByTestId('status')).toHaveText('Live');
      await expect(panel(page, 'cpu').locator('.recharts-line-curve').first()).toBeVisible();
      // The connection state is announced: a polite live region holding it.
      await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/^Live/);
      expect(await violations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Pause' }).click();
      await expect(page.getByTestId('mode')).toHaveText('Paused');
      expect(await violations(page)).toEqual([]);
    });
  });
}

test('the metric browser and a metric page pass the same axe checks', async ({ page }) => {
  await page.goto('/metrics');
  expect(await violations(page)).toEqual([]);
  await page.goto('/metrics/host_load_average');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(page.locator('.recharts-line-curve').first()).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test('query panels, one refused, pass the same axe checks, and fit a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/?query=${encodeURIComponent('sum by (instance) (host_load_average)')}&query=${encodeURIComponent('sum by (instance')}`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(page.getByTestId('query-problem')).toBeVisible();
  await expect(page.locator('section.panel').first().locator('.recharts-line-curve').first()).toBeVisible();
  expect(await violations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
