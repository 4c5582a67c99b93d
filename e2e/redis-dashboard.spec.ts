import { expect, test } from '@playwright/test';
import { startRedis } from './support/redis';
import { startServer } from './support/server';

test('Redis goes away: the dashboard stays connected and says new points are delayed; Redis back: the notice goes and values move again', async ({ page }) => {
  const redis = await startRedis();
  const server = await startServer({ env: { REDIS_URL: redis.url, INSTANCE: 'web-1', REDIS_RECONNECT_MAX: '300ms' } });
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('status')).toHaveText('Live');
    await expect(page.getByTestId('bus-notice')).toHaveCount(0);

    await redis.kill();
    const notice = page.getByTestId('bus-notice');
    await expect(notice).toHaveText(/Redis is unreachable \(.+\): new points are delayed/);
    await expect(page.getByTestId('status')).toHaveText('Live'); // the stream itself is fine
    await expect(page.locator('.status')).toHaveAttribute('data-bus', 'down');

    await redis.restart();
    await expect(notice).toHaveCount(0, { timeout: 15_000 });
    const before = (await page.getByTestId('value').allTextContents()).join('|');
    await expect.poll(async () => (await page.getByTestId('value').allTextContents()).join('|'), { timeout: 5_000 }).not.toBe(before);
  } finally {
    await server.stop('SIGKILL');
    await redis.stop();
  }
});

test('a page opened while Redis is unreachable says so from the start', async ({ page }) => {
  const redis = await startRedis();
  const server = await startServer({ env: { REDIS_URL: redis.url, INSTANCE: 'web-1', REDIS_RECONNECT_MAX: '300ms' } });
  try {
    await redis.kill();
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { status: string }).status).toBe('degraded');
    await page.goto(server.url);
    await expect(page.getByTestId('status')).toHaveText('Live');
    await expect(page.getByTestId('bus-notice')).toHaveText(/Redis is unreachable/);
  } finally {
    await server.stop('SIGKILL');
    await redis.stop();
  }
});
