import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { seriesKeys } from './support/ingest';

/** A page on another origin (another port of this host), as any site the operator visits could be. */
async function foreignSite(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `pulseboard_requests_refused_total{reason="cross_site"}` from /api/metrics. */
async function crossSiteRefusals(baseURL: string): Promise<number> {
  const text = await (await fetch(`${baseURL}/api/metrics`)).text();
  return Number(/^pulseboard_requests_refused_total\{reason="cross_site"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

test('the dashboard runs under its Content-Security-Policy: no violation, theme script first, charts live', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => localStorage.setItem('pulseboard-theme', 'dark'));
  await page.goto('/');
  // The boot script (inline, nonced) ran before paint.
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  await expect(page.getByRole('status').first()).toContainText('Live', { timeout: 15_000 });
  await expect(page.locator('.recharts-line-curve').first()).toBeVisible();
  expect(violations).toEqual([]);
});

test('a page on another site cannot write metrics through the browser, nor frame the dashboard', async ({ page, baseURL }) => {
  const name = `browser_csrf_${Date.now()}`;
  const site = await foreignSite(`<!doctype html><title>elsewhere</title>
    <iframe id="f" src="${baseURL}/"></iframe>
    <script>
      window.result = fetch(${JSON.stringify(`${baseURL}/api/ingest`)}, {
        method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '${name} 1\\n',
      }).then(() => 'sent', (e) => 'failed: ' + e.message);
    </script>`);
  const refusedBefore = await crossSiteRefusals(baseURL!);
  try {
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/ingest') && r.method() === 'POST');
    await page.goto(site.url);
    await sent;
    // The browser does not even hand the page the answer (Cross-Origin-Resource-Policy).
    expect(await page.evaluate(() => (window as unknown as { result: Promise<string> }).result)).toContain('failed');
    // The server refused it (the gate counts it) and stored nothing.
    await expect.poll(() => crossSiteRefusals(baseURL!)).toBeGreaterThan(refusedBefore);
    // frame-ancestors 'none': the frame stays empty.
    const frame = page.frames().find((f) => f.url().startsWith(baseURL!));
    const framedText = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(framedText).not.toContain('Pulseboard');
    expect((await seriesKeys(baseURL!)).filter((k) => k.startsWith(name))).toEqual([]);
  } finally {
    await site.close();
  }
});
