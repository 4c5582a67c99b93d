import { expect, test } from '@playwright/test';
import { panel, plotPoint } from './support/charts';

test('hovering a time on one chart shows the crosshair and tooltip at that time on every chart', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('Live');
  const cpu = panel(page, 'cpu');
  const memory = panel(page, 'memory');
  await expect(cpu.locator('.recharts-line-curve').first()).toBeVisible();
  await expect(memory.locator('.recharts-line-curve').first()).toBeVisible();
  await expect(memory.locator('.recharts-default-tooltip')).toBeHidden();

  const at = await plotPoint(cpu, 0.5);
  await page.mouse.move(at.x, at.y);
  // The hovered chart and the other one both show a tooltip, for the same time.
  await expect(cpu.locator('.recharts-default-tooltip')).toBeVisible();
  await expect(memory.locator('.recharts-default-tooltip')).toBeVisible();
  // One crosshair: the vertical cursor line sits at the same x in both (equal-width) charts.
  const cursorX = async (chart: typeof cpu) => Number(/^M([\d.]+),/.exec((await chart.locator('.recharts-tooltip-cursor').getAttribute('d')) ?? '')?.[1]);
  await expect.poll(async () => Math.abs((await cursorX(cpu)) - (await cursorX(memory)))).toBeLessThan(1);
  await expect
    .poll(async () => {
      const [a, b] = await Promise.all([cpu.locator('.recharts-tooltip-label').textContent(), memory.locator('.recharts-tooltip-label').textContent()]);
      return a !== null && a === b ? a : `${a} ≠ ${b}`;
    })
    .toMatch(/^\d\d:\d\d:\d\d$/);
  await expect(memory.locator('.recharts-tooltip-item-name')).toHaveText(['used', 'available']);

  // Leaving the chart hides them everywhere.
  await page.mouse.move(at.x, 5);
  await expect(cpu.locator('.recharts-default-tooltip')).toBeHidden();
  await expect(memory.locator('.recharts-default-tooltip')).toBeHidden();
  await expect(memory.locator('.recharts-tooltip-cursor')).toHaveCount(0);
});
