import type { Locator, Page } from '@playwright/test';

/** A dashboard panel by its id (`cpu`, `memory`, `metric:<name>`). */
export function panel(page: Page, id: string): Locator {
  return page.locator(`section.panel[data-panel="${id}"]`);
}

/** The page position of a fraction (0–1) across a panel's plot area, half-way up. */
export async function plotPoint(chart: Locator, fraction: number): Promise<{ x: number; y: number }> {
  const box = await chart.locator('.plot-grid').boundingBox();
  if (!box) throw new Error('chart has no plot area');
  return { x: box.x + box.width * fraction, y: box.y + box.height / 2 };
}

/** Drags the mouse across a panel's plot from one fraction of its width to another. */
export async function dragAcross(page: Page, chart: Locator, from: number, to: number): Promise<void> {
  const a = await plotPoint(chart, from);
  const b = await plotPoint(chart, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

/** The time-axis tick labels of a panel's chart (`HH:MM` or `HH:MM:SS`). */
export async function xTicks(chart: Locator): Promise<string[]> {
  // Pulseboard draws the time axis' labels (components/chart/live-chart.tsx, Plot) with the class
  // Recharts gives its own; the y axis' are Recharts': pick the time ones by form.
  const labels = await chart.locator('.recharts-cartesian-axis-tick-value').allTextContents();
  return labels.filter((l) => /^\d\d:\d\d(?::\d\d)?$/.test(l));
}
