import { expect, test } from '@playwright/test';
import { pushSequence } from './support/ingest';
import { pointsOf } from './support/state';


test('points published while the page loads and hydrates are each in the chart exactly once', async ({ page, baseURL }) => {
  const name = `handoff_${Date.now()}`;
  const producer = pushSequence(baseURL!, name, 30);
  await new Promise((r) => setTimeout(r, 300));
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  await new Promise((r) => setTimeout(r, 1_000));
  const sent = await producer.stop();
  await expect.poll(async () => (await pointsOf(page, name)).length, { timeout: 5_000 }).toBe(sent);
  const values = (await pointsOf(page, name)).map(([, v]) => v);
  expect(values).toEqual(Array.from({ length: sent }, (_, i) => i));
});

test('offline for 10 s and back: the chart has no hole', async ({ page, context, baseURL }) => {
  const name = `offline_${Date.now()}`;
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const producer = pushSequence(baseURL!, name, 200);
  await expect.poll(async () => (await pointsOf(page, name)).length).toBeGreaterThan(3);
  await context.setOffline(true);
  await expect(page.getByTestId('status')).toHaveText(/^Reconnecting/, { timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 10_000));
  await context.setOffline(false);
  await expect(page.getByTestId('status')).toHaveText('Live', { timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 1_000));
  const sent = await producer.stop();
  await expect.poll(async () => (await pointsOf(page, name)).length, { timeout: 5_000 }).toBe(sent);
  const values = (await pointsOf(page, name)).map(([, v]) => v);
  expect(values).toEqual(Array.from({ length: sent }, (_, i) => i));
});
