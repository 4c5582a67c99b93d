import { expect, test } from '@playwright/test';
import { startServer } from './support/server';

test('server stops: the badge says reconnecting; server back: live again', async ({ page }) => {
  // Its own server, so stopping it does not disturb the other specs.
  const env = { STREAM_RETRY: '500ms' };
  let server = await startServer({ env });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // While the server is down the browser logs each refused reconnection; anything else is a bug.
    if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('status')).toHaveText('Live');

    expect((await server.stop('SIGTERM')).code).toBe(0);
    await expect(page.getByTestId('status')).toHaveText(/^Reconnecting/);

    server = await startServer({ env, port: server.port });
    await expect(page.getByTestId('status')).toHaveText('Live', { timeout: 20_000 });
    const before = await page.getByTestId('value').allTextContents();
    await expect.poll(async () => (await page.getByTestId('value').allTextContents()).join('|'), { timeout: 5_000 }).not.toBe(before.join('|'));
    expect(errors).toEqual([]);
  } finally {
    await server.stop('SIGKILL');
  }
});
