import { expect, test } from '@playwright/test';

// Fault injection, as the Redis tests kill Redis: the browser fails one chart's setup (its
// IntersectionObserver refuses the panel), and the page must keep the failure in that panel.
test('a chart that fails shows the error in its own panel; the other charts keep going', async ({ page }) => {
  await page.addInitScript(() => {
    const observe = IntersectionObserver.prototype.observe;
    IntersectionObserver.prototype.observe = function (this: IntersectionObserver, target: Element) {
      if (target.closest('[data-panel="load"]')) throw new Error('injected failure for the load panel');
      return observe.call(this, target);
    };
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');

  const failed = page.locator('.panel-error');
  await expect(failed).toHaveCount(1);
  await expect(failed.getByRole('heading')).toHaveText('Load average');
  await expect(failed).toHaveAttribute('role', 'alert');
  await expect(failed).toContainText('This chart could not be drawn: injected failure for the load panel');
  await expect(failed.getByRole('button', { name: 'Try again' })).toBeVisible();

  // Everything else carries on: other panels are drawn and their values move.
  await expect(page.locator('[data-panel="cpu"] .recharts-line-curve').first()).toBeVisible();
  // New points reach the memory chart (its figures may read the same at three digits for seconds).
  const newest = () =>
    page.evaluate(() => {
      const key = [...window.pulseboard!.state().series.keys()].find((k) => k.startsWith('host_memory_used_bytes'));
      return key ? (window.pulseboard!.state().series.get(key)?.points.at(-1)?.[0] ?? 0) : 0;
    });
  const before = await newest();
  await expect.poll(newest, { timeout: 5_000 }).toBeGreaterThan(before);
  // Charts are drawn once in view: the memory section is below the CPU one.
  await page.locator('[data-panel="memory"]').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-panel="memory"] .recharts-line-curve').first()).toBeVisible();
  expect(errors).toEqual([]);
});
