import type { Page } from '@playwright/test';

/** Points the page's live store holds for one series (see window.pulseboard in the dashboard). */
export function pointsOf(page: Page, key: string): Promise<Array<[number, number]>> {
  return page.evaluate((k) => {
    const series = window.pulseboard?.state().series.get(k);
    return (series?.points ?? []).map(([t, v]) => [t, v] as [number, number]);
  }, key);
}

/** Open streams on the server. */
export async function openStreams(baseURL: string): Promise<number> {
  const res = await fetch(`${baseURL}/api/health`);
  return ((await res.json()) as { streams: { open: number } }).streams.open;
}
