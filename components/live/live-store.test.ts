import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '@/lib/wire';
import { LiveStore } from './live-store';

// Vitest runs in node: no requestAnimationFrame, so the store notifies at once.
const WINDOW = 60_000;
const T0 = 1_700_000_000_000;

const empty = (takenAt = T0): Snapshot => ({ cursor: null, takenAt, windowMs: WINDOW, series: [], metrics: [] });
const pod = (i: number) => `http_requests_total{pod="web-${i}"}`;
const keys = (store: LiveStore) => [...store.getState().series.keys()].sort();

describe('LiveStore forgets series that are gone', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('drops a series once all its points have left the window', () => {
    const store = new LiveStore(empty());
    store.applyPoints([{ series: pod(1), t: T0, v: 1 }, { series: pod(2), t: T0, v: 1 }]);
    store.applyPoints([{ series: pod(2), t: T0 + WINDOW / 2, v: 2 }]);
    expect(keys(store)).toEqual([pod(1), pod(2)]);
    store.applyPoints([{ series: pod(2), t: T0 + WINDOW + 1, v: 3 }]);
    expect(keys(store)).toEqual([pod(2)]);
  });

  it('holds a bounded number of series while pods come and go for a long time', () => {
    const store = new LiveStore(empty());
    // A new pod every second for an hour, each reporting for ten seconds.
    for (let s = 0; s < 3_600; s++) {
      vi.setSystemTime(T0 + s * 1_000);
      const samples = [];
      for (let i = Math.max(0, s - 9); i <= s; i++) samples.push({ series: pod(i), t: T0 + s * 1_000, v: s });
      store.applyPoints(samples);
    }
    // The window holds 60 s of pods that each lived 10 s: about 70, not 3,600.
    expect(store.getState().series.size).toBeLessThanOrEqual(WINDOW / 1_000 + 10 + 1);
  });

  it('keeps what a paused range holds, and lets it go on going live', () => {
    const store = new LiveStore(empty());
    store.applyPoints([{ series: pod(1), t: T0, v: 1 }]);
    store.hold(T0 - 1_000);
    store.applyPoints([{ series: pod(2), t: T0 + 5 * WINDOW, v: 1 }]);
    expect(keys(store)).toEqual([pod(1), pod(2)]);
    store.hold(null);
    store.applyPoints([{ series: pod(2), t: T0 + 5 * WINDOW + 1, v: 2 }]);
    expect(keys(store)).toEqual([pod(2)]);
  });

  it('keeps a series announced just before its first point, for a window at most', () => {
    const store = new LiveStore(empty());
    store.applySeries({ metrics: [{ name: 'http_requests_total', unit: 'none', type: 'counter', help: 'Requests served' }], series: [pod(1), pod(2)] });
    vi.setSystemTime(T0 + 1_000);
    store.applyPoints([{ series: pod(3), t: T0 + 1_000, v: 1 }]);
    expect(keys(store)).toEqual([pod(1), pod(2), pod(3)]);
    store.applyPoints([{ series: pod(1), t: T0 + 2_000, v: 1 }]);
    expect(store.getState().metrics.get('http_requests_total')?.help).toBe('Requests served');

    // pod 2 never got a point: gone once a window has passed since it was announced.
    vi.setSystemTime(T0 + WINDOW + 1);
    store.applyPoints([{ series: pod(1), t: T0 + WINDOW, v: 2 }]);
    expect(keys(store)).toEqual([pod(1), pod(3)]);
  });

  it('drops series a newer snapshot no longer has points for', () => {
    const store = new LiveStore({ ...empty(), series: [{ key: pod(1), points: [[T0, 1]] }] });
    expect(keys(store)).toEqual([pod(1)]);
    store.load({ ...empty(T0 + 2 * WINDOW), series: [{ key: pod(2), points: [[T0 + 2 * WINDOW, 1]] }] });
    expect(keys(store)).toEqual([pod(2)]);
  });
});
