import { expect, test, type Page } from '@playwright/test';

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT = 'rgb(246, 247, 249)';
const DARK = 'rgb(13, 17, 23)';

test.use({ colorScheme: 'light' });

test('the theme follows the system until toggled; the choice persists across a reload', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const toggle = page.getByRole('button', { name: /^Theme:/ });
  await expect(toggle).toHaveAccessibleName('Theme: System (switch to Dark)');
  expect(await background(page)).toBe(LIGHT);

  await toggle.click();
  await expect(toggle).toHaveText(/Dark/);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe(DARK);

  await page.reload();
  // Dark from the first paint: the stored choice is applied before the page's scripts run.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe(DARK);
  await expect(toggle).toHaveText(/Dark/);

  await toggle.click();
  await expect(toggle).toHaveText(/Light/);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background(page)).toBe(LIGHT);
  await page.reload();
  expect(await background(page)).toBe(LIGHT);
  // Hydrated (the label comes from storage then): a click before it would cycle from "System".
  await expect(toggle).toHaveText(/Light/);

  // Back to System: the operating system's dark setting wins again, and nothing is stored.
  await toggle.click();
  await expect(toggle).toHaveText(/System/);
  expect(await background(page)).toBe(DARK);
  expect(await page.evaluate(() => localStorage.getItem('pulseboard-theme'))).toBeNull();
});
