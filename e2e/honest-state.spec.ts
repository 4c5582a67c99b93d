import { expect, test } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

test('a series that stopped updating is marked stale', async ({ page, baseURL }) => {
  const name = `e2e_stale_${Date.now()}`;
  const now = Date.now();
  expect((await postPoints(baseURL!, [{ name, value: 1, timestamp: now - 12_000 }, { name, value: 2, timestamp: now - 11_000 }])).status).toBe(202);
  await page.goto(`/?q=${name}`);
  const row = panel(page, `metric:${name}`).locator('tbody tr');
  await expect(row).toHaveAttribute('data-stale', 'true');
  await expect(row.getByRole('button')).toHaveAccessibleName(`${name} stale`);
  await expect(row.getByRole('button')).toHaveAttribute('title', new RegExp(`^${name}: no update since \\d\\d:\\d\\d:\\d\\d`));
});

test('with nothing to show, the page says how to push a first metric, and the command it shows works', async ({ page, baseURL }) => {
  await page.goto('/?q=no_such_metric_anywhere');
  await expect(page.getByRole('heading', { name: 'No chart matches “no_such_metric_anywhere”' })).toBeVisible();
  // The address is the page's own once hydrated.
  await expect(page.getByTestId('curl')).toContainText(`curl -X POST ${baseURL}/api/ingest`);
  const command = (await page.getByTestId('curl').textContent())!;

  // Run what the page shows (curl's arguments, sent with fetch), with a name of this test's own.
  const body = /-d '(.+)'$/s.exec(command)![1]!;
  const name = `e2e_first_${Date.now()}`;
  const res = await fetch(`${baseURL}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': /-H '[^:]+: ([^']+)'/.exec(command)![1]! },
    body: body.replace('my_first_metric', name),
  });
  expect(res.status).toBe(202);
  await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill(name);
  await expect(panel(page, `metric:${name}`).getByTestId('value')).toHaveText('42');
});
