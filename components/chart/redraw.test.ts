import { describe, expect, it } from 'vitest';
import { deferral, MAX_DEFER_MS, type Drawing } from './redraw';

const panel = {};
const hidden = new Set<string>();
// A plot 600 px wide (the chart 676 px with its insets).
const chart = (from: number, to: number, extra: Partial<Drawing> = {}): Drawing => ({ panel, hidden, series: [{}, {}], from, to, width: 676, hydrated: true, visible: true, ...extra });

describe('deferral', () => {
  it('waits until a live window has moved a pixel since the last drawing, at most MAX_DEFER_MS', () => {
    const hour = 3_600_000; // 6 s a pixel at 600 px
    const drawn = chart(0, hour);
    expect(deferral(drawn, chart(1_000, hour + 1_000), 1_000)).toBe(MAX_DEFER_MS - 1_000);
    expect(deferral(drawn, chart(2_500, hour + 2_500), 2_500)).toBe(0);
    const fiveMinutes = 300_000; // 500 ms a pixel
    expect(deferral(chart(0, fiveMinutes), chart(100, fiveMinutes + 100), 100)).toBe(400);
    expect(deferral(chart(0, fiveMinutes), chart(1_000, fiveMinutes + 1_000), 1_000)).toBe(0);
  });

  it('counts from the drawing, not from the window: new data under a window whose end stands still is drawn in time', () => {
    const drawn = chart(0, 3_600_000);
    const same = chart(0, 3_600_000, { series: [{}, {}] });
    expect(deferral(drawn, same, 500)).toBe(MAX_DEFER_MS - 500);
    expect(deferral(drawn, same, MAX_DEFER_MS)).toBe(0);
  });

  it('draws at once for anything but new data and a window moved on: a resize, a toggle, options, a new window, going back', () => {
    const drawn = chart(0, 3_600_000);
    expect(deferral(drawn, chart(1_000, 3_601_000, { width: 700 }), 0)).toBe(0);
    expect(deferral(drawn, chart(1_000, 3_601_000, { hidden: new Set(['a']) }), 0)).toBe(0);
    expect(deferral(drawn, chart(1_000, 3_601_000, { options: {} }), 0)).toBe(0);
    expect(deferral(drawn, chart(1_000, 3_601_000, { series: [{}] }), 0)).toBe(0);
    expect(deferral(drawn, chart(0, 1_800_000), 0)).toBe(0);
    expect(deferral(drawn, chart(-1_000, 3_599_000), 0)).toBe(0);
    expect(deferral(drawn, chart(1_000, 3_601_000, { width: 0 }), 0)).toBe(0);
    expect(deferral(drawn, drawn, 0)).toBeNull();
  });
});
