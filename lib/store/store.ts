import type { BusMessage, Cursor } from '@/lib/bus';
import { metaFromKey, type Sample, type SeriesFilter, type SeriesKey, type SeriesMeta } from '@/lib/series';
import { downsample, type Pair } from './downsample';
import { Ring } from './ring';

export interface StoreOptions {
  /** Points older than this (relative to now) are dropped. */
  retentionMs: number;
  /** Ring capacity of one series. */
  maxPointsPerSeries: number;
  /** New series beyond this many are refused. */
  maxSeries: number;
  now?: () => number;
}

/** A series with its newest point, as `/api/series` lists it. */
export interface SeriesSummary {
  meta: SeriesMeta;
  t: number;
  v: number;
}

/** A window of history for many series, and the bus cursor it is consistent with. */
export interface Snapshot {
  cursor: Cursor | null;
  takenAt: number;
  windowMs: number;
  series: Array<{ meta: SeriesMeta; points: Pair[] }>;
}

interface Entry {
  meta: SeriesMeta;
  ring: Ring;
  createdAt: number;
  /** Written by Pulseboard's own collector: points from anyone else are refused. */
  collector: boolean;
}

const SWEEP_EVERY_MS = 10_000;

/** Bounded in-memory history: one ring buffer per series, a series cap, time-based retention. */
export class Store {
  private readonly entries = new Map<SeriesKey, Entry>();
  private readonly now: () => number;
  private lastSweep = 0;
  private heldKeyChars = 0;
  /** Cursor of the last message applied: a snapshot taken now contains everything up to it. */
  cursor: Cursor | null = null;
  readonly dropped = { seriesCap: 0, outOfOrder: 0, duplicate: 0, reserved: 0 };

  constructor(private readonly options: StoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get maxSeries(): number {
    return this.options.maxSeries;
  }

  /**
   * Characters (UTF-16 units) of every series key held, kept as series come and go: a filter
   * matched over the store costs at most `filter.cost × keyChars` steps (QUERY_MAX_WORK).
   */
  get keyChars(): number {
    return this.heldKeyChars;
  }

  has(key: SeriesKey): boolean {
    return this.entries.has(key);
  }

  /**
   * Whether Pulseboard's own collector writes the series: only its batches may, so that a forged
   * point (far ahead in time, say) cannot hold the real ones out. Remembered with the series, so
   * bounded by MAX_SERIES.
   */
  reserved(key: SeriesKey): boolean {
    return this.entries.get(key)?.collector === true;
  }

  meta(key: SeriesKey): SeriesMeta | undefined {
    return this.entries.get(key)?.meta;
  }

  /** Time of the newest stored point of a series, if it has any. */
  newest(key: SeriesKey): number | undefined {
    const ring = this.entries.get(key)?.ring;
    return ring && ring.length > 0 ? ring.lastTime : undefined;
  }

  /** Applies one bus message; returns the metadata of series it created or changed. */
  apply(message: BusMessage): SeriesMeta[] {
    return this.keep(message).announced;
  }

  /**
   * Applies one bus message; returns the metadata of series it created or changed and the samples
   * it kept (those past retention, out of order, over the series cap or in a series reserved to the
   * collector are not), so that streams carry exactly what history holds.
   */
  keep(message: BusMessage): { announced: SeriesMeta[]; kept: Sample[] } {
    const announced: SeriesMeta[] = [];
    const fromCollector = message.origin === 'collector';
    let kept: Sample[] | undefined; // allocated only once a sample is refused
    for (const meta of message.meta ?? []) {
      const entry = this.entries.get(meta.key);
      if (entry?.collector && !fromCollector) continue;
      if (entry) {
        if (!sameMeta(entry.meta, meta)) {
          entry.meta = meta;
          announced.push(meta);
        }
      } else if (this.create(meta)) {
        announced.push(meta);
      }
    }
    const horizon = this.now() - this.options.retentionMs;
    message.samples.forEach((s, i) => {
      const refuse = () => (kept ??= message.samples.slice(0, i));
      if (s.t < horizon) return refuse(); // already past retention: it would be dropped at once
      let entry = this.entries.get(s.series);
      if (!entry) {
        const meta = metaFromKey(s.series);
        entry = this.create(meta);
        if (!entry) return refuse();
        announced.push(meta);
      }
      if (fromCollector && !entry.collector) this.claim(entry, s.t, announced);
      else if (!fromCollector && entry.collector) {
        this.dropped.reserved++;
        return refuse();
      }
      if (s.t < entry.ring.lastTime) {
        this.dropped.outOfOrder++;
        return refuse();
      }
      // The same point again (a producer retrying a write whose answer it never got) is kept once.
      if (s.t === entry.ring.lastTime && s.v === entry.ring.lastValue && entry.ring.length > 0) {
        this.dropped.duplicate++;
        return refuse();
      }
      entry.ring.push(s.t, s.v);
      entry.ring.dropBefore(horizon);
      kept?.push(s);
    });
    this.cursor = message.id;
    this.sweep();
    return { announced, kept: kept ?? message.samples };
  }

  /** Every series with its newest point. */
  list(filter?: SeriesFilter): SeriesSummary[] {
    const out: SeriesSummary[] = [];
    for (const [key, { meta, ring }] of this.entries) {
      if (filter && !filter.matches(key)) continue;
      out.push({ meta, t: ring.lastTime, v: ring.lastValue });
    }
    return out;
  }

  /** History of one series over the last `windowMs`, downsampled to at most `maxPoints`. */
  history(key: SeriesKey, windowMs: number, maxPoints: number): Pair[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return downsample(entry.ring, this.now() - windowMs, Infinity, maxPoints);
  }

  /** Every matching series over the last `windowMs`, with the cursor the result is consistent with. */
  snapshot(windowMs: number, maxPoints: number, filter?: SeriesFilter): Snapshot {
    const series: Snapshot['series'] = [];
    for (const [key, entry] of this.entries) {
      if (filter && !filter.matches(key)) continue;
      const points = this.history(key, windowMs, maxPoints) ?? [];
      if (points.length > 0) series.push({ meta: entry.meta, points });
    }
    return { cursor: this.cursor, takenAt: this.now(), windowMs, series };
  }

  private create(meta: SeriesMeta): Entry | undefined {
    if (this.entries.size >= this.options.maxSeries) {
      this.dropped.seriesCap++;
      return undefined;
    }
    const entry = { meta, ring: new Ring(this.options.maxPointsPerSeries), createdAt: this.now(), collector: false };
    this.entries.set(meta.key, entry);
    this.heldKeyChars += meta.key.length;
    return entry;
  }

  /**
   * Marks a series as the collector's from its first collector point on. Anything another writer
   * got in first is forged (the key holds this instance's name): points ahead of the collector's
   * are dropped, or they would hold its real ones out as out of order, and metadata goes back to
   * what the key says.
   */
  private claim(entry: Entry, t: number, announced: SeriesMeta[]): void {
    entry.collector = true;
    if (t < entry.ring.lastTime) entry.ring = new Ring(this.options.maxPointsPerSeries);
    const derived = metaFromKey(entry.meta.key);
    if (!sameMeta(entry.meta, derived)) {
      entry.meta = derived;
      announced.push(derived);
    }
  }

  /** Drops expired points of quiet series, and series left empty, at most every few seconds. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const horizon = now - this.options.retentionMs;
    for (const [key, { ring, createdAt }] of this.entries) {
      ring.dropBefore(horizon);
      // A series announced ahead of its first point is kept for one retention period.
      if (ring.length === 0 && createdAt < horizon && this.entries.delete(key)) this.heldKeyChars -= key.length;
    }
  }
}

function sameMeta(a: SeriesMeta, b: SeriesMeta): boolean {
  return a.unit === b.unit && a.type === b.type && a.help === b.help;
}
