import { expect, test, type Page } from '@playwright/test';
import { postPoints } from './support/ingest';

/** A panel by its title (a query panel's title is its query). */
const panelTitled = (page: Page, title: string) => page.locator('section.panel', { has: page.getByRole('heading', { name: title, exact: true }) });

/** Legend rows of a panel as "label value". */
const rows = async (page: Page, title: string) => {
  const chart = panelTitled(page, title);
  const out: string[] = [];
  for (const row of await chart.locator('tbody tr').all()) out.push(`${await row.locator('.legend-label').textContent()} ${await row.getByTestId('value').textContent()}`);
  return out.sort();
};

test('a panel from a query in the URL: lines summed by a label as rates, narrowed by a matcher, ranked; added from the form, removed, refused with why', async ({ page, baseURL }) => {
  const name = `e2e_qp_requests_${Date.now()}_total`;
  const now = Date.now();
  // Requests per second by route and status: 200s at 1, 2 and 3/s, 500s at 0.5/s on /a.
  const rates: Array<[string, string, number]> = [
    ['/a', '200', 1],
    ['/b', '200', 2],
    ['/c', '200', 3],
    ['/a', '500', 0.5],
  ];
  const points = rates.flatMap(([route, status, rate]) => Array.from({ length: 61 }, (_, i) => ({ name, labels: { route, status }, value: 1_000 + rate * i, timestamp: now - (60 - i) * 1_000 })));
  expect((await postPoints(baseURL!, points)).status).toBe(202);

  const summed = `sum by (status) (${name})`;
  await page.goto(`/?query=${encodeURIComponent(summed)}`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(panelTitled(page, summed).locator('.recharts-line-curve')).toHaveCount(2);
  await expect.poll(() => rows(page, summed)).toEqual(['status=200 6/s', 'status=500 0.5/s']);
  // The query panel comes first; the metric's own panel is still there.
  await expect(page.locator('section.panel').first()).toContainText(summed);
  await expect(page.locator(`section.panel[data-panel="metric:${name}"]`)).toBeVisible();

  const narrowed = `${name}{status="500"}`;
  await page.goto(`/?query=${encodeURIComponent(narrowed)}`);
  await expect.poll(() => rows(page, narrowed)).toEqual(['route=/a status=500 0.5/s']);

  // A filter narrows the dashboard's panels, not a query panel.
  await page.goto(`/?q=host_cpu&query=${encodeURIComponent(`sum(${name})`)}`);
  await expect.poll(() => rows(page, `sum (${name})`)).toEqual(['sum 6.5/s']);
  await expect(page.locator(`section.panel[data-panel="metric:${name}"]`)).toHaveCount(0);

  // Added from the form under the grid, kept with the rest of the view.
  await page.goto('/?window=1m');
  const ranked = `topk(1, ${name})`;
  await page.getByLabel('Add a panel from a query').fill(ranked);
  await page.getByLabel('Add a panel from a query').press('Enter');
  await expect(page).toHaveURL(/query=topk/);
  await expect(page).toHaveURL(/window=1m/);
  await expect.poll(() => rows(page, ranked)).toEqual(['route=/c status=200 3/s']);

  // Removed by its own link.
  await panelTitled(page, ranked).getByRole('link', { name: `Remove the panel ${ranked}` }).click();
  // A new server render of the shared server's page, which by now holds every spec's series.
  await expect(panelTitled(page, ranked)).toHaveCount(0, { timeout: 15_000 });
  await expect(page).not.toHaveURL(/query=/);

  // One that cannot be read is listed with what is wrong and where; the others are drawn.
  await page.goto(`/?query=${encodeURIComponent(`sum by (status ${name}`)}&query=${encodeURIComponent(summed)}`);
  await expect(page.getByTestId('query-problem')).toContainText('expected');
  await expect(page.getByTestId('query-problem')).toContainText('at character');
  await expect.poll(() => rows(page, summed)).toEqual(['status=200 6/s', 'status=500 0.5/s']);
});
