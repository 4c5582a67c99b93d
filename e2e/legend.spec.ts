import { expect, test } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

test('a legend click toggles a line, Shift- or Alt-click shows it alone, and the legend lists now/min/max/mean', async ({ page, baseURL }) => {
  const name = `e2e_legend_${Date.now()}`;
  const now = Date.now();
  const values = { a: [1, 5, 3], b: [10, 20, 30], c: [7, 7, 7] };
  const points = Object.entries(values).flatMap(([s, vs]) => vs.map((value, i) => ({ name, labels: { s }, value, timestamp: now - (3 - i) * 1_000 })));
  expect((await postPoints(baseURL!, points)).status).toBe(202);

  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const chart = panel(page, `metric:${name}`);
  await chart.scrollIntoViewIfNeeded();
  const curves = chart.locator('.recharts-line-curve');
  await expect(curves).toHaveCount(3);
  // Its name gains "stale" once the pushed points are a few seconds old.
  const toggle = (s: string) => chart.getByRole('button', { name: new RegExp(`^s=${s}( stale)?$`) });

  // Figures over the window: current, min, max, mean.
  const row = chart.locator('tbody tr').first();
  await expect(row.getByTestId('value')).toHaveText('3');
  await expect(row.getByTestId('min')).toHaveText('1');
  await expect(row.getByTestId('max')).toHaveText('5');
  await expect(row.getByTestId('mean')).toHaveText('3');
  await expect(chart.locator('tbody tr').nth(1).getByTestId('mean')).toHaveText('20');

  await toggle('b').click();
  // Kept in the URL: a reload (a shared link) keeps it off.
  await expect.poll(() => new URL(page.url()).searchParams.get(`h.metric:${name}`)).toBe(`${name}{s="b"}`);
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('Live');
  await expect(toggle('b')).toHaveAttribute('aria-pressed', 'false');
  await expect(curves).toHaveCount(2);
  await toggle('b').click();
  await expect(toggle('b')).toHaveAttribute('aria-pressed', 'true');
  await expect(curves).toHaveCount(3);

  // Solo: only that line is drawn, in its own colour; the same again shows them all.
  await toggle('a').click({ modifiers: ['Shift'] });
  await expect(curves).toHaveCount(1);
  await expect(curves).toHaveAttribute('stroke', 'var(--series-0)');
  await expect(toggle('a')).toHaveAttribute('aria-pressed', 'true');
  await expect(toggle('b')).toHaveAttribute('aria-pressed', 'false');
  await toggle('a').click({ modifiers: ['Shift'] });
  await expect(curves).toHaveCount(3);

  await toggle('c').click({ modifiers: ['Alt'] });
  await expect(curves).toHaveCount(1);
  await expect(curves).toHaveAttribute('stroke', 'var(--series-2)');
  // The keyboard works the same way: Space on a focused toggle.
  await toggle('a').focus();
  await page.keyboard.press('Space');
  await expect(curves).toHaveCount(2);
});
