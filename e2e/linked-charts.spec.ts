import { expect, test } from '@playwright/test';
import { panel, plotPoint } from './support/charts';


// Wide enough for the CPU and memory sections' first charts on one screen (charts are drawn once in view).
test.use({ viewport: { width: 1440, height: 1000 } });

test('hovering a time on one chart shows the crosshair and tooltip at that time on every chart', async ({ page }) => {
  // The host's panels alone: their series are sampled together and, few, not thinned in the
  // snapshot, so both charts have rows at the same times (elsewhere the crosshair takes the nearest).
  await page.goto('/?q=host_');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const cpu = panel(page, 'cpu');
  const memory = panel(page, 'memory');
  await expect(cpu.locator('.recharts-line-curve').first()).toBeVisible();
  await expect(memory.locator('.recharts-line-curve').first()).toBeVisible();
  await expect(memory.locator('.tooltip-box')).toBeHidden();

  const at = await plotPoint(cpu, 0.5);
  await page.mouse.move(at.x, at.y);
  // The hovered chart and the other one both show a tooltip, for the same time.
  await expect(cpu.locator('.tooltip-box')).toBeVisible();
  await expect(memory.locator('.tooltip-box')).toBeVisible();
  // One crosshair: the vertical cursor line sits at the same x in both (equal-width) charts.
  const cursorX = async (chart: typeof cpu) => Number(/^M([\d.]+),/.exec((await chart.locator('.recharts-tooltip-cursor').getAttribute('d')) ?? '')?.[1]);
  await expect.poll(async () => Math.abs((await cursorX(cpu)) - (await cursorX(memory)))).toBeLessThan(1);
  await expect
    .poll(async () => {
      const [a, b] = await Promise.all([cpu.locator('.tooltip-time').textContent(), memory.locator('.tooltip-time').textContent()]);
      return a !== null && a === b ? a : `${a} ≠ ${b}`;
    })
    .toMatch(/^\d\d:\d\d:\d\d$/);
  // Its lines, highest value first.
  await expect.poll(async () => (await memory.locator('.tooltip-label').allTextContents()).sort()).toEqual(expect.arrayContaining(['available', 'used']));
  const values = await memory.locator('.tooltip-value').allTextContents();
  const bytes = (text: string) => Number.parseFloat(text) * ({ B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[text.trim().split(/\s+/)[1] ?? ''] ?? 1);
  expect(bytes(values[0]!)).toBeGreaterThanOrEqual(bytes(values[1]!));

  // Escape dismisses them until the pointer moves on.
  await page.keyboard.press('Escape');
  await expect(cpu.locator('.tooltip-box')).toBeHidden();
  await expect(memory.locator('.tooltip-box')).toBeHidden();
  await page.mouse.move(at.x - 2, at.y);
  await expect(cpu.locator('.tooltip-box')).toBeVisible();
  await expect(memory.locator('.tooltip-box')).toBeVisible();

  // Leaving the chart hides them everywhere.
  await page.mouse.move(at.x, 5);
  await expect(cpu.locator('.tooltip-box')).toBeHidden();
  await expect(memory.locator('.tooltip-box')).toBeHidden();
  await expect(memory.locator('.recharts-tooltip-cursor')).toHaveCount(0);
});
