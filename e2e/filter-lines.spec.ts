import { expect, test, type Page } from '@playwright/test';
import { panel } from './support/charts';
import { postPoints } from './support/ingest';

/** A request counter by route and status (12 lines) and CPU of 50 pods, pushed twice so counters have a rate. */
async function pushRealistic(baseURL: string, stamp: number): Promise<{ requests: string; cpu: string }> {
  const requests = `e2e_lines_requests_total_${stamp}`;
  const cpu = `e2e_lines_pod_cpu_${stamp}`;
  for (const [k, t] of [stamp - 2_000, stamp - 1_000].entries()) {
    const points = [
      ...['/a', '/b', '/c'].flatMap((route) => ['200', '301', '404', '500'].map((status) => ({ name: requests, labels: { route, status }, value: (k + 1) * 10, timestamp: t }))),
      ...Array.from({ length: 50 }, (_, n) => ({ name: cpu, labels: { pod: `api-${String(n).padStart(2, '0')}` }, value: n / 100, timestamp: t })),
    ];
    expect((await postPoints(baseURL, points)).status).toBe(202);
  }
  return { requests, cpu };
}

const legendLabels = (page: Page, id: string) => panel(page, id).locator('.legend-label').allTextContents();

for (const size of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`a label filter narrows the lines of a panel, not only picks it (${size.name})`, async ({ page, baseURL }) => {
    await page.setViewportSize(size);
    const { requests, cpu } = await pushRealistic(baseURL!, Date.now());
    await page.goto(`/?q=${encodeURIComponent(`${requests} status=500`)}`);
    await expect(page.getByTestId('status')).toHaveText('Live');
    // Three lines, one per route, each the 500s: not all twelve.
    await expect.poll(() => legendLabels(page, `metric:${requests}`)).toEqual(['route=/a status=500', 'route=/b status=500', 'route=/c status=500']);
    await expect(panel(page, `metric:${cpu}`)).toHaveCount(0);

    // Typed: one pod of fifty.
    await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill('pod=api-07');
    await expect.poll(() => legendLabels(page, `metric:${cpu}`)).toEqual(['pod=api-07']);
    await expect(panel(page, `metric:${requests}`)).toHaveCount(0);

    // A word picks the panel whole.
    await page.getByRole('searchbox', { name: 'Filter metrics by name or label' }).fill(requests);
    await expect.poll(async () => (await legendLabels(page, `metric:${requests}`)).length).toBe(12);
  });
}
