import { expect, test } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

test('a page rendered for ?q= carries only the panels it shows; a broader filter typed afterwards brings the others, with their history', async ({ page, baseURL }) => {
  const stamp = Date.now();
  const shown = `e2e_qshown_${stamp}`;
  const other = `e2e_qother_${stamp}`;
  // History from before the page: a minute ago, and now.
  for (const t of [stamp - 60_000, stamp - 30_000, stamp]) {
    expect((await postPoints(baseURL!, [{ name: shown, value: 1, timestamp: t }, { name: other, value: 2, timestamp: t }])).status).toBe(202);
  }
  await page.goto(`/?q=${shown}`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(panel(page, `metric:${shown}`).getByTestId('value')).toHaveText('1');
  // The page's data holds the filter's panels only.
  const held = await page.evaluate(() => [...window.pulseboard!.state().series.keys()]);
  expect(held).toContain(shown);
  expect(held).not.toContain(other);

  // Typed wider: the other panel comes, with the points it had before the page was rendered.
  await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill(`e2e_q`);
  await expect(panel(page, `metric:${other}`).getByTestId('value')).toHaveText('2');
  await expect.poll(() => page.evaluate((key) => window.pulseboard!.state().series.get(key)?.points.length ?? 0, other)).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('searchbox', { name: 'Filter metrics by name or label' })).toHaveValue('e2e_q');
  await expect(page).toHaveURL(/\?q=e2e_q$/);
});
