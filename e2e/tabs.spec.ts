import { expect, test } from '@playwright/test';
import { openStreams } from './support/state';

test('8 tabs of one origin are all live on one shared connection; closing the leader hands over within 2 s', async ({ context, baseURL }) => {
  // HTTP/1.1 allows ~6 connections per host: without sharing, tabs 7 and 8 would hang.
  const pages = [];
  for (let i = 0; i < 8; i++) {
    const page = await context.newPage();
    await page.goto('/');
    pages.push(page);
  }
  for (const page of pages) await expect(page.getByTestId('status')).toHaveText('Live', { timeout: 10_000 });
  await expect.poll(() => openStreams(baseURL!)).toBe(1);
  for (const page of pages) {
    const before = (await page.getByTestId('value').allTextContents()).join('|');
    await expect.poll(async () => (await page.getByTestId('value').allTextContents()).join('|'), { timeout: 3_000 }).not.toBe(before);
  }

  // The first tab took the lock, so it leads. Close it: another tab takes over.
  await pages[0]!.close();
  const rest = pages.slice(1);
  const started = Date.now();
  await expect.poll(() => openStreams(baseURL!), { timeout: 2_000, intervals: [100] }).toBe(1);
  const handover = Date.now() - started;
  for (const page of rest) {
    const before = (await page.getByTestId('value').allTextContents()).join('|');
    await expect.poll(async () => (await page.getByTestId('value').allTextContents()).join('|'), { timeout: 3_000 }).not.toBe(before);
    await expect(page.getByTestId('status')).toHaveText('Live');
  }
  console.log(`leader closed: a new leader streaming after ${handover} ms`);
  for (const page of rest) await page.close();
});
