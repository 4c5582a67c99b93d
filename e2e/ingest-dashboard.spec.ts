import { expect, test } from '@playwright/test';
import { postPoints } from './support/ingest';

test('a pushed series appears as a chart line within 2 s, a new label set as a new line, markup as text', async ({ page, baseURL }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');

  const name = `e2e_pushed_${Date.now()}`;
  const markup = '<b>bold</b><img src=x onerror=alert(1)>';
  expect((await postPoints(baseURL!, [{ name, labels: { page: markup }, value: 41 }])).status).toBe(202);
  const panel = page.locator('section.panel').filter({ has: page.getByRole('heading', { name, exact: true }) });
  await expect(panel).toBeVisible({ timeout: 2_000 });
  await expect(panel.locator('.legend-label')).toHaveText([`page=${markup}`]);
  await expect(panel.getByTestId('value')).toHaveText(['41']);
  await expect(panel.locator('b, img')).toHaveCount(0);

  expect((await postPoints(baseURL!, [{ name, labels: { page: 'home' }, value: 7 }])).status).toBe(202);
  await expect(panel.locator('.legend-label')).toHaveText([`page=${markup}`, 'page=home'], { timeout: 2_000 });
  // Charts off screen are not redrawn until they scroll into view.
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.locator('.recharts-line-curve')).toHaveCount(2);
  expect(dialogs).toEqual([]);
});
