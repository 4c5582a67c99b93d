import { expect, test } from '@playwright/test';

test('a dashboard filter over the limits is said to be not applied, beside the input, and every chart stays', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const filter = page.getByRole('searchbox', { name: 'Filter metrics by name or label' });
  const charts = page.locator('section.panel');
  const all = await charts.count();

  await filter.fill(Array.from({ length: 65 }, (_, i) => `memory${i}`).join(' '));
  await expect(page.getByTestId('filter-problem')).toHaveText('Too many terms, not applied: at most 64 terms (QUERY_MAX_TERMS)');
  await expect(filter).toHaveAttribute('aria-invalid', 'true');
  await expect(charts).toHaveCount(all);

  await filter.fill('m'.repeat(4_097));
  await expect(page.getByTestId('filter-problem')).toHaveText('Filter too long, not applied: at most 4096 characters (QUERY_MAX_LENGTH)');
  // Kept as typed, not cut to the limit.
  await expect(filter).toHaveValue('m'.repeat(4_097));
  await expect(charts).toHaveCount(all);

  await filter.fill('nodejs_heap');
  await expect(page.getByTestId('filter-problem')).toHaveCount(0);
  await expect(page.locator('section.panel h2')).toHaveText(['Pulseboard memory']);
});
