import type { MetricMeta } from '@/lib/schema';
import type { SeriesMeta, Sample } from '@/lib/series';
import { parseSeriesKey } from '@/lib/series/key';
import type { BusNotice, SeriesPayload } from '@/lib/wire/events';
import { seriesMeta, type Pair, type Snapshot } from '@/lib/wire/snapshot';
import type { StreamStatus } from './stream-source';

export type ConnectionStatus = StreamStatus;

export interface LiveSeries {
  meta: SeriesMeta;
  /** Time-ordered; replaced (never mutated) when it changes, so charts can memoise on identity. */
  points: readonly Pair[];
}

/** An immutable view of the store; a new object after every change. */
export interface LiveState {
  status: ConnectionStatus;
  /** Reconnection attempts since the stream was last live. */
  attempt: number;
  /** Receive time of the newest event, ms since epoch. */
  lastEventAt: number | null;
  windowMs: number;
  series: ReadonlyMap<string, LiveSeries>;
  /** What each metric name held means (unit, type, help): once per name, as the server sends it. */
  metrics: ReadonlyMap<string, MetricMeta>;
  /** When the server last said this client missed data (and history was reloaded). */
  resetAt: number | null;
  /** The server's bus: not `up` while Redis is unreachable and new points are delayed. */
  bus: BusNotice;
}

/**
 * The browser's copy of the dashboard's data: a server snapshot merged with streamed points.
 * Subscribers are told at most once per animation frame, so a burst of events costs one render,
 * and a hidden tab (no frames) keeps its data current without rendering.
 */
export class LiveStore {
  private state: LiveState;
  private readonly listeners = new Set<() => void>();
  private frame: number | undefined;

  constructor(snapshot: Snapshot) {
    this.state = {
      status: 'connecting',
      attempt: 0,
      lastEventAt: null,
      windowMs: snapshot.windowMs,
      series: new Map(),
      metrics: new Map(),
      resetAt: null,
      bus: { state: 'up' },
    };
    this.load(snapshot);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): LiveState => this.state;

  private replaceOnLoad = false;
  /** While paused on a range, points from its start on are kept even once they leave the window. */
  private keepFrom = Infinity;
  /**
   * Series announced before their first point, with when (client clock): kept for one window,
   * so a point arriving just after its announcement finds the metadata.
   */
  private readonly announced = new Map<string, number>();

  /** Keeps points from `t` on (a paused range's start), or, with null, only the window again. */
  hold(t: number | null): void {
    this.keepFrom = t ?? Infinity;
  }

  /**
   * Merges a server snapshot (e.g. for a new window): its points, then anything newer already held.
   * After a reset, the snapshot replaces what was held: that history is no longer trustworthy.
   */
  load(snapshot: Snapshot): void {
    const replacing = this.replaceOnLoad;
    this.replaceOnLoad = false;
    const series = replacing ? new Map<string, LiveSeries>() : new Map(this.state.series);
    const metrics = replacing ? new Map<string, MetricMeta>() : new Map(this.state.metrics);
    for (const m of snapshot.metrics) metrics.set(m.name, m);
    for (const { key, points } of snapshot.series) {
      // Points newer than the snapshot (streamed while it was fetched) are kept either way.
      const held = this.state.series.get(key)?.points ?? [];
      const last = points.at(-1)?.[0] ?? -Infinity;
      series.set(key, { meta: seriesMeta(key, metrics.get(parseSeriesKey(key).name)), points: points.concat(held.filter(([t]) => t > last)) });
    }
    if (replacing) this.announced.clear();
    const trimmed = this.trim(series, snapshot.windowMs, snapshot.takenAt);
    this.update({ series: trimmed, metrics: describing(trimmed, metrics), windowMs: snapshot.windowMs }, true);
  }

  /** Records what a `series` event says: descriptions of names (applied to every series of each), and series that appeared. */
  applySeries({ metrics: described, series: keys }: Pick<SeriesPayload, 'metrics' | 'series'>): void {
    const series = new Map(this.state.series);
    const metrics = new Map(this.state.metrics);
    for (const m of described) metrics.set(m.name, m);
    if (described.length > 0) {
      const names = new Set(described.map((m) => m.name));
      for (const [key, s] of series) if (names.has(s.meta.name)) series.set(key, { meta: seriesMeta(key, metrics.get(s.meta.name)), points: s.points });
    }
    for (const key of keys) {
      const points = series.get(key)?.points ?? [];
      if (points.length === 0 && !this.announced.has(key)) this.announced.set(key, Date.now());
      series.set(key, { meta: seriesMeta(key, metrics.get(parseSeriesKey(key).name)), points });
    }
    this.update({ series, metrics });
  }

  /** Appends streamed points; a point not newer than its series' last one is a duplicate and skipped. */
  applyPoints(samples: readonly Sample[]): void {
    const added = new Map<string, Pair[]>();
    for (const { series: key, t, v } of samples) {
      let list = added.get(key);
      if (!list) added.set(key, (list = []));
      list.push([t, v]);
    }
    const series = new Map(this.state.series);
    for (const [key, pairs] of added) {
      const current = series.get(key) ?? { meta: seriesMeta(key, this.state.metrics.get(parseSeriesKey(key).name)), points: [] };
      let last = current.points.at(-1)?.[0] ?? -Infinity;
      const fresh = pairs.filter(([t]) => (t > last ? ((last = t), true) : false));
      if (fresh.length > 0) series.set(key, { meta: current.meta, points: current.points.concat(fresh) });
      this.announced.delete(key);
    }
    // Trim against the newest point (server time): a skewed client clock must not blank the charts.
    let newest = -Infinity;
    for (const [, pairs] of added) newest = Math.max(newest, pairs.at(-1)?.[0] ?? newest);
    const trimmed = Number.isFinite(newest) ? this.trim(series, this.state.windowMs, newest) : series;
    this.update({ series: trimmed, metrics: describing(trimmed, this.state.metrics), lastEventAt: Date.now() });
  }

  /** The server could not replay what this client missed: the next snapshot loaded replaces history. */
  markReset(): void {
    this.replaceOnLoad = true;
    this.update({ resetAt: Date.now() });
  }

  setStatus(status: ConnectionStatus, attempt = 0): void {
    if (status === this.state.status && attempt === this.state.attempt) return;
    this.update({ status, attempt });
  }

  setBus(bus: BusNotice): void {
    if (bus.state === this.state.bus.state && bus.message === this.state.bus.message && bus.storage === this.state.bus.storage) return;
    this.update({ bus });
  }

  /** Cancels a pending notification; call when the store is dropped. */
  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.listeners.clear();
  }

  /**
   * Drops points older than the window (and `keepFrom`), and then series left without points: a
   * long-open tab with label sets that come and go (pods) must not hold every one it ever saw.
   * Only series that lose points get a new array.
   */
  private trim(series: Map<string, LiveSeries>, windowMs: number, now: number): Map<string, LiveSeries> {
    const horizon = Math.min(now - windowMs, this.keepFrom);
    const announcedSince = Date.now() - windowMs;
    for (const [key, s] of series) {
      const first = s.points[0];
      const points = first && first[0] < horizon ? s.points.filter(([t]) => t >= horizon) : s.points;
      if (points.length > 0) {
        if (points !== s.points) series.set(key, { meta: s.meta, points });
      } else if ((this.announced.get(key) ?? -Infinity) < announcedSince) {
        series.delete(key);
        this.announced.delete(key);
      }
    }
    return series;
  }

  private update(patch: Partial<LiveState>, immediate = false): void {
    this.state = { ...this.state, ...patch };
    if (immediate || typeof requestAnimationFrame === 'undefined') return this.notify();
    this.frame ??= requestAnimationFrame(() => this.notify());
  }

  private notify(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    for (const listener of this.listeners) listener();
  }
}

/** The descriptions of names some held series has: a name whose series are all gone is forgotten with them. */
function describing(series: ReadonlyMap<string, LiveSeries>, metrics: ReadonlyMap<string, MetricMeta>): ReadonlyMap<string, MetricMeta> {
  const names = new Set<string>();
  for (const s of series.values()) names.add(s.meta.name);
  if ([...metrics.keys()].every((name) => names.has(name))) return metrics;
  return new Map([...metrics].filter(([name]) => names.has(name)));
}
