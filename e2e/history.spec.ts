import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';
import { panel } from './support/charts';
import { fillUp, test, withSmallDisk } from './support/disk';
import { postPoints, pushSequence } from './support/ingest';
import { startServer } from './support/server';
import { pointsOf } from './support/state';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

test('a page open across a restart keeps its charts and resumes with no gap, no duplicate and no reload', async ({ page, dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'restart', STREAM_RETRY: '500ms', SHUTDOWN_DRAIN_WINDOW: '500ms' };
  let server = await startServer({ env });
  const key = 'restart_probe';
  try {
    let pusher = pushSequence(server.url, key, 100);
    await page.goto(server.url);
    await expect(page.getByTestId('status')).toHaveText('Live');
    await expect.poll(async () => (await pointsOf(page, key)).length).toBeGreaterThan(10);
    const before = await pusher.stop();

    expect((await server.stop('SIGTERM')).code).toBe(0);
    await expect(page.getByTestId('status')).toHaveText(/^Reconnecting/);
    server = await startServer({ env, port: server.port });
    await expect(page.getByTestId('status')).toHaveText('Live', { timeout: 20_000 });
    // Values go on from where they stopped: the producer's next value is `before`.
    pusher = pushSequenceFrom(server.url, key, before);
    await expect.poll(async () => (await pointsOf(page, key)).length, { timeout: 10_000 }).toBeGreaterThan(before + 10);
    await pusher.stop();
    const values = (await pointsOf(page, key)).map(([, v]) => v);
    // Every value once, in order, from the first the page got to the last.
    expect(values).toEqual(values.map((_, i) => values[0]! + i));
    await expect(page.getByTestId('status-notice')).toHaveCount(0);
    expect(await page.evaluate(() => window.pulseboard?.state().resetAt ?? null)).toBeNull();
  } finally {
    await server.stop('SIGKILL');
  }
});

/** Pushes before, before + 1, … to `name` every 100 ms until stopped (see pushSequence). */
function pushSequenceFrom(baseURL: string, name: string, from: number): { stop: () => Promise<number> } {
  let next = from;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      if ((await postPoints(baseURL, [{ name, value: next }])).status === 202) next++;
      await new Promise((r) => setTimeout(r, 100));
    }
    return next;
  })();
  return {
    stop: async () => {
      stopped = true;
      return done;
    },
  };
}

test('a week and a month of history: presets for them appear, and their charts keep each bucket’s min and max', async ({ page, dataDir }) => {
  const server = await startServer({ env: { DATA_DIR: dataDir, INSTANCE: 'month' } });
  try {
    const now = Date.now();
    const start = now - 30 * DAY;
    const spikeAt = start + 10 * DAY;
    const points: Array<{ name: string; value: number; timestamp: number }> = [];
    for (let i = 0, t = start; t <= now; i++, t += MINUTE) points.push({ name: 'queue_depth', value: t === spikeAt ? 500 : 10 + (i % 7), timestamp: t });
    for (let i = 0; i < points.length; i += 10_000) expect((await postPoints(server.url, points.slice(i, i + 10_000))).status).toBe(202);

    await page.goto(server.url);
    const windows = page.getByRole('navigation', { name: 'Time window' });
    await expect(windows.getByRole('link', { name: '7d' })).toBeVisible();
    await expect(windows.getByRole('link', { name: '30d' })).toBeVisible();

    await windows.getByRole('link', { name: '7d' }).click();
    await expect(page).toHaveURL(/window=7d/);
    await expect.poll(async () => (await pointsOf(page, 'queue_depth')).length).toBeGreaterThan(100);
    const week = await pointsOf(page, 'queue_depth');
    expect(week[0]![0]).toBeLessThan(now - 6.9 * DAY);
    expect(Math.max(...week.map(([, v]) => v))).toBe(16);
    expect(Math.min(...week.map(([, v]) => v))).toBe(10);

    await page.getByRole('navigation', { name: 'Time window' }).getByRole('link', { name: '30d' }).click();
    await expect(page).toHaveURL(/window=30d/);
    await expect.poll(async () => (await pointsOf(page, 'queue_depth'))[0]?.[0] ?? now).toBeLessThan(now - 29 * DAY);
    const month = await pointsOf(page, 'queue_depth');
    // A one-minute spike 20 days ago is still in a month drawn at 600 points.
    expect(Math.max(...month.map(([, v]) => v))).toBe(500);
    expect(month.length).toBeLessThanOrEqual(1_300);
    const chart = panel(page, 'metric:queue_depth');
    await chart.scrollIntoViewIfNeeded();
    await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
  } finally {
    await server.stop('SIGKILL');
  }
});

test('a series quiet for longer than the hot tier is still charted over a longer window, before and after a restart, filtered too', async ({ page, dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'quiet', SHUTDOWN_DRAIN_WINDOW: '500ms' };
  let server = await startServer({ env });
  try {
    const now = Date.now();
    // Every 10 s from 3 h ago to 2 h ago: nothing of it is in the hot tier (HISTORY_RETENTION 1 h).
    const points = Array.from({ length: 361 }, (_, i) => ({ name: 'quiet_probe', labels: { job: 'nightly' }, value: i % 50, timestamp: now - 3 * HOUR + i * 10_000 }));
    expect((await postPoints(server.url, points)).status).toBe(202);
    const key = 'quiet_probe{job="nightly"}';
    const check = async () => {
      await page.goto(`${server.url}/?window=6h`);
      await expect(panel(page, 'metric:quiet_probe')).toBeVisible();
      await expect.poll(async () => (await pointsOf(page, key)).length).toBeGreaterThan(100);
      const shown = await pointsOf(page, key);
      expect(shown[0]![0]).toBeLessThan(now - 2.9 * HOUR);
      expect(Math.max(...shown.map(([, v]) => v))).toBe(49);
      // The filter keeps it, or not, as it would a series held in memory.
      await page.goto(`${server.url}/?window=6h&q=${encodeURIComponent('job=nightly')}`);
      await expect(panel(page, 'metric:quiet_probe')).toBeVisible();
      await page.goto(`${server.url}/?window=6h&q=${encodeURIComponent('job=daily')}`);
      await expect(page.locator('section.panel')).toHaveCount(0);
      // Its own page, over the same window, and from its panel's title (a link without a window: all that is kept).
      expect((await fetch(`${server.url}/metrics/quiet_probe?window=6h`)).status).toBe(200);
      expect((await fetch(`${server.url}/metrics/quiet_probe`)).status).toBe(200);
      // Within the hot tier it has nothing to show: no panel, no page.
      await page.goto(`${server.url}/?window=15m`);
      await expect(panel(page, 'cpu')).toBeVisible();
      await expect(panel(page, 'metric:quiet_probe')).toHaveCount(0);
      expect((await fetch(`${server.url}/metrics/quiet_probe?window=15m`)).status).toBe(404);
    };
    await check();
    expect((await server.stop('SIGTERM')).code).toBe(0);
    server = await startServer({ env, port: server.port });
    await check();
  } finally {
    await server.stop('SIGKILL');
  }
});

test('a full disk: the badge says history is not being saved, and the charts stay live', async ({ page, dataDir }) => {
  const small = path.join(dataDir, 'small');
  await withSmallDisk(small, '2m', async () => {
    const server = await startServer({ env: { DATA_DIR: small, INSTANCE: 'full-page', CHECKPOINT_INTERVAL: '1s' } });
    try {
      await page.goto(server.url);
      await expect(page.getByTestId('status')).toHaveText('Live');
      await expect(page.getByTestId('storage-notice')).toHaveCount(0);
      fillUp(path.join(small, 'filler'));
      // One series, 5,000 points of the last minutes: a log record larger than the space left.
      const now = Date.now();
      const batch = Array.from({ length: 5_000 }, (_, i) => ({ name: 'full_page_probe', value: i, timestamp: now - 300_000 + i * 50 }));
      expect((await postPoints(server.url, batch)).status).toBe(202);
      await expect(page.getByTestId('storage-notice')).toHaveText(/^, history is not being saved \(.*(ENOSPC|no space)/i, { timeout: 10_000 });
      // Read as two phrases, not "Livehistory is not being saved".
      await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/^Live, history is not being saved \(/);
      await expect(page.getByTestId('status')).toHaveText('Live');
      fs.rmSync(path.join(small, 'filler'));
      await expect(page.getByTestId('storage-notice')).toHaveCount(0, { timeout: 10_000 });
    } finally {
      await server.stop('SIGKILL');
    }
  });
});
