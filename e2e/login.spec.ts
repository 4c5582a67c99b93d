import { expect, test } from '@playwright/test';
import { authDir } from './support/auth';
import { startServer, type RunningServer } from './support/server';

// AUTH=password in a real browser: the sign-in page, a wrong and a right password, the live
// dashboard, signing out, and the old cookie refused after.
test.describe('signing in', () => {
  let server: RunningServer;
  test.beforeAll(async () => {
    const { dir } = authDir({ users: [{ name: 'alice', password: 'alice-password-1' }] });
    server = await startServer({ env: { AUTH: 'password', DATA_DIR: dir } });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('a page asks to sign in, and comes back live after; signing out ends the session', async ({ page, context }) => {
    await page.goto(`${server.url}/metrics?q=host`);
    await expect(page).toHaveURL(/\/login\?next=%2Fmetrics%3Fq%3Dhost$/);
    await expect(page.getByRole('heading', { name: 'Sign in to Pulseboard' })).toBeVisible();

    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('Wrong user name or password.');

    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${server.url}/metrics?q=host`);
    const cookie = (await context.cookies()).find((c) => c.name === 'pulseboard_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });

    await page.goto(`${server.url}/`);
    await expect(page.getByTestId('status')).toHaveText('Live');
    await expect(page.getByTestId('account')).toContainText('alice');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login\?signed_out=1$/);
    await expect(page.getByTestId('login-status')).toHaveText('You are signed out.');
    // The cookie the browser held is refused on its own too (it was revoked, not only cleared).
    const res = await fetch(`${server.url}/api/series`, { headers: { cookie: `pulseboard_session=${cookie!.value}` } });
    expect(res.status).toBe(401);
    await page.goto(`${server.url}/`);
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
  });

  test('signing out in one tab takes every other tab of that session to sign in', async ({ context }) => {
    const first = await context.newPage();
    await first.goto(`${server.url}/login?next=%2F`);
    await first.getByLabel('User name').fill('alice');
    await first.getByLabel('Password').fill('alice-password-1');
    await first.getByRole('button', { name: 'Sign in' }).click();
    await expect(first.getByTestId('status')).toHaveText('Live');
    const second = await context.newPage();
    await second.goto(`${server.url}/metrics/host_cpu_utilization_ratio`);
    await expect(second.getByTestId('status')).toHaveText('Live');
    // The metric page has the account and sign-out too.
    await expect(second.getByTestId('account')).toContainText('alice');
    await second.getByRole('button', { name: 'Sign out' }).click();
    await expect(second).toHaveURL(/\/login\?signed_out=1$/);
    // The dashboard's stream was ended by the sign-out; reconnecting gets 401, and the page goes to sign in.
    await expect(first).toHaveURL(/\/login\?next=%2F$/, { timeout: 15_000 });
  });
});
