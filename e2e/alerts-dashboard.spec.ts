import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { postPoints } from './support/ingest';
import { startServer, type RunningServer } from './support/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A rule on a pushed gauge: its chart draws the threshold and shades when it fired; the header
// counts what fires; /alerts lists it and links to its panel.
test.describe('alerts on the dashboard', () => {
  let server: RunningServer;
  let load = 0.5;
  let stopped = false;
  let pushing: Promise<void>;
  test.beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-ui-'));
    fs.writeFileSync(
      path.join(dir, 'alerts.json'),
      JSON.stringify({ rules: [{ name: 'HighLoad', query: 'app_load', window: '0s', reduce: 'last', above: 0.9, clearBelow: 0.8, severity: 'critical', summary: 'load on {{host}} at {{value}}' }] }),
    );
    server = await startServer({ env: { DATA_DIR: dir, ALERT_EVAL_INTERVAL: '1s', COLLECT_INTERVAL: '1h' } });
    pushing = (async () => {
      for (let i = 0; i < 2_000 && !stopped; i++) {
        await postPoints(server.url, [{ name: 'app_load', labels: { host: 'a' }, value: load }]).catch(() => undefined);
        await sleep(250);
      }
    })();
    await (await fetch(`${server.url}/`)).arrayBuffer();
  });
  test.afterAll(async () => {
    stopped = true;
    await pushing;
    await server?.stop();
  });

  test('the chart of what a rule reads shows its threshold and the shaded firing period; the header counts it; /alerts links to it', async ({ page }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    // Fired for 3 s, then back to normal: a period in the past.
    load = 0.95;
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/alerts`)).json()) as { alerts: unknown[] }).alerts.length, { timeout: 10_000 }).toBe(1);
    await sleep(3_000);
    load = 0.5;
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/alerts`)).json()) as { alerts: unknown[] }).alerts.length, { timeout: 10_000 }).toBe(0);

    await page.goto(`${server.url}/?window=5m`);
    await expect(page.getByTestId('status')).toHaveText('Live', { timeout: 20_000 });
    const header = page.getByTestId('alert-count');
    await expect(header).toHaveText('0 firing');
    const panel = page.locator('section.panel').filter({ has: page.getByRole('heading', { name: 'app_load', exact: true }) });
    await expect(panel.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(panel.locator('.recharts-reference-area')).toHaveCount(1);
    // The shaded period is about 3 s of a 5-minute chart: narrow, not the whole width.
    const area = await panel.locator('.recharts-reference-area rect, .recharts-reference-area path').first().boundingBox();
    const chart = await panel.locator('.recharts-surface').boundingBox();
    expect(area && chart && area.width > 0 && area.width < chart.width / 4).toBe(true);

    // Firing again, live: the header says so within moments, and a second period opens.
    load = 0.95;
    await expect(header).toHaveText('▲ 1 critical firing', { timeout: 10_000 });
    await expect(header).toHaveAccessibleName('1 critical firing');
    await expect(header).toHaveAttribute('data-firing', '1');
    await expect(panel.locator('.recharts-reference-area')).toHaveCount(2, { timeout: 10_000 });

    await header.click();
    await expect(page).toHaveURL(/\/alerts$/);
    const row = page.getByTestId('alert-row');
    await expect(row).toHaveAttribute('data-state', 'firing');
    await expect(row).toContainText('HighLoad');
    await expect(row).toContainText('host=a');
    await expect(row).toContainText('load on a at 0.95');
    await expect(page.getByTestId('alerts-recent')).toContainText('resolved');
    // The alerts page passes the dashboard's axe checks, and fits a phone.
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1440, height: 900 });
    // Its link is the dashboard with the rule's query as a panel, threshold drawn.
    await row.getByRole('link', { name: 'HighLoad' }).click();
    await expect(page).toHaveURL(/\/\?query=app_load/);
    const queryPanel = page.locator('section.panel[data-panel]').filter({ has: page.getByRole('heading', { name: 'app_load', exact: true }) }).first();
    await expect(queryPanel.locator('.recharts-reference-line')).toHaveCount(1, { timeout: 10_000 });
    load = 0.5;
    await expect(page.getByTestId('alert-count')).toHaveText('0 firing', { timeout: 10_000 });
  });
});
