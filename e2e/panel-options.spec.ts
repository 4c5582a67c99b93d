import { expect, test, type Page } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

/** Three constant lines (a = 1, b = 2, c = 3) over the last five seconds. */
async function push(baseURL: string): Promise<string> {
  const name = `e2e_opts_${Date.now()}`;
  const now = Date.now();
  const points = [0, 1, 2, 3, 4].flatMap((k) => ['a', 'b', 'c'].map((q, i) => ({ name, labels: { q }, value: i + 1, timestamp: now - (5 - k) * 1_000 })));
  expect((await postPoints(baseURL, points)).status).toBe(202);
  return name;
}

const ticks = (page: Page, id: string) => panel(page, id).locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value');

test('a panel drawn stacked, as percent, on a log axis, within bounds, in another unit — kept in the URL', async ({ page, baseURL }) => {
  const name = await push(baseURL!);
  const id = `metric:${name}`;
  await page.goto(`/?window=1m&q=${name}`);
  await expect(page.getByTestId('status')).toHaveText('Live');
  const card = panel(page, id);
  await expect(ticks(page, id).last()).toHaveText('3');

  await card.getByRole('button', { name: `Display options of ${name}` }).click();
  const form = card.getByRole('form', { name: `Display options of ${name}` });
  await form.getByLabel('Stacked').check();
  // Stacked: the top line is at 1 + 2 + 3.
  await expect(ticks(page, id).last()).toHaveText('6');
  await expect(page).toHaveURL(new RegExp(`[?&]p\\.metric%3A${name}=stack(&|$)`));
  // The tooltip gives each line's own value, not its stacked height.
  const box = (await card.locator('.plot-grid').boundingBox())!;
  await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
  await expect(page.locator('.tooltip-value').first()).toHaveText('3');

  await form.getByLabel('Percent of total').check();
  await expect(ticks(page, id).last()).toHaveText('100 %');
  await form.getByLabel('Stacked').uncheck();
  await form.getByLabel('Percent of total').uncheck();
  await form.getByLabel('Log scale').check();
  await expect(ticks(page, id)).toHaveText(['1', '2', '5', '10']);
  await form.getByLabel('Log scale').uncheck();

  await form.getByLabel('Max').fill('10');
  await expect(ticks(page, id).last()).toHaveText('10');
  await form.getByLabel('Min').fill('x');
  await expect(form.getByRole('alert')).toHaveText(/must be a number/);
  await form.getByLabel('Min').fill('');
  await form.getByLabel('Unit').selectOption('bytes');
  await expect(card.getByTestId('value').last()).toHaveText('3 B');
  await expect(page).toHaveURL(new RegExp(`[?&]p\\.metric%3A${name}=max%3A10%2Cunit%3Abytes(&|$)`));

  // A reload (or a shared link) draws it the same; a window link keeps it.
  await page.reload();
  await expect(ticks(page, id).last()).toHaveText('10 B');
  await page.getByRole('link', { name: '5m', exact: true }).click();
  await expect(page.getByRole('link', { name: '5m', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveURL(new RegExp(`p\\.metric%3A${name}=max%3A10%2Cunit%3Abytes`));
  await expect(ticks(page, id).last()).toHaveText('10 B');

  // Reset draws it as laid out and takes it out of the URL.
  await card.getByRole('button', { name: `Display options of ${name}` }).click();
  await card.getByRole('button', { name: 'Reset' }).click();
  await expect(ticks(page, id).last()).toHaveText('3');
  await expect(page).not.toHaveURL(/p\.metric/);
});

test('panel options a link gets wrong are named, and the rest applies', async ({ page, baseURL }) => {
  const name = await push(baseURL!);
  await page.goto(`/?window=1m&q=${name}&p.metric:${name}=stack,wobble,min:abc`);
  await expect(page.getByTestId('panel-note')).toHaveText(`Panel options ignored: "metric:${name}": "wobble" is not an option (stack, percent, log, int, heatmap, min:n, max:n, unit:u); "metric:${name}": min "abc" is not a number.`);
  await expect(ticks(page, `metric:${name}`).last()).toHaveText('6');
});
