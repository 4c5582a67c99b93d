import type { BusMessage, Cursor } from '@/lib/bus';
import type { MetricMeta } from '@/lib/schema';
import { metaFromKey, typeFromName, type Sample, type SeriesFilter, type SeriesKey, type SeriesMeta } from '@/lib/series';
import { unitFromName } from '@/lib/units';
import type { Pair, Snapshot } from '@/lib/wire';
import { downsample } from './downsample';
import { prefault } from './prefault';
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

/** Which series a snapshot holds, and how many points it may hold in all. */
interface SnapshotOptions {
  /** The keys to keep of the series with points in the window (all when absent). */
  choose?: (series: readonly SeriesMeta[]) => ReadonlySet<SeriesKey>;
  maxTotal?: number;
}

/** What a message changed that streams must hear of: keys of new series, and descriptions of names (see SeriesPayload). */
export interface Announced {
  series: SeriesKey[];
  metrics: MetricMeta[];
}

/** A metric name held: its description, once for all its series. */
interface Metric {
  meta: MetricMeta;
  /** Series of this name held. */
  series: number;
  /** Of them, written by the collector: while any is, only the collector describes the name. */
  collector: number;
}

interface Entry {
  key: SeriesKey;
  labels: SeriesMeta['labels'];
  metric: Metric;
  ring: Ring;
  createdAt: number;
  /** Written by Pulseboard's own collector: points from anyone else are refused. */
  collector: boolean;
}

const SWEEP_EVERY_MS = 10_000;
/** Most bytes of one buffer the rings sized at start share (see Store.reserve): about 70 rings of an hour at 1 s. */
const SLAB_BYTES = 4 * 1024 ** 2;

/**
 * Bounded in-memory history: one ring buffer per series, a series cap, time-based retention.
 * Metadata is kept per metric name (unit, type, help), at most one per name held.
 */
export class Store {
  private readonly entries = new Map<SeriesKey, Entry>();
  private readonly metrics = new Map<string, Metric>();
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
    const entry = this.entries.get(key);
    return entry && toMeta(entry);
  }

  /** The description of a metric name held. */
  metric(name: string): MetricMeta | undefined {
    return this.metrics.get(name)?.meta;
  }

  /** Time of the newest stored point of a series, if it has any. */
  newest(key: SeriesKey): number | undefined {
    const ring = this.entries.get(key)?.ring;
    return ring && ring.length > 0 ? ring.lastTime : undefined;
  }

  /** A series' newest `n` points (fewer if it has fewer), oldest first: one look, no copy of the rest. */
  newestPoints(key: SeriesKey, n: number): Pair[] {
    const ring = this.entries.get(key)?.ring;
    if (!ring) return [];
    const out: Pair[] = [];
    for (let i = Math.max(0, ring.length - n); i < ring.length; i++) out.push([ring.timeAt(i), ring.valueAt(i)]);
    return out;
  }

  /** Time of the oldest point held in memory, of any series (one look per series), or undefined. */
  oldest(): number | undefined {
    let oldest = Infinity;
    for (const { ring } of this.entries.values()) if (ring.length > 0) oldest = Math.min(oldest, ring.timeAt(0));
    return Number.isFinite(oldest) ? oldest : undefined;
  }

  /** Applies one bus message; returns what it announced (new series, described names). */
  apply(message: BusMessage): Announced {
    return this.keep(message).announced;
  }

  /**
   * Applies one bus message; returns what it announced and the samples it kept (those past
   * retention, out of order, over the series cap or in a series reserved to the collector are
   * not), so that streams carry exactly what history holds. A name is described when it is new,
   * when its description changes, and when it gains a series.
   */
  keep(message: BusMessage): { announced: Announced; kept: Sample[]; archived: Sample[] } {
    const fromCollector = message.origin === 'collector';
    const series: SeriesKey[] = [];
    const described = new Map<string, Metric>();
    const given = new Map<string, MetricMeta>();
    for (const meta of message.metrics ?? []) {
      given.set(meta.name, meta);
      const metric = this.metrics.get(meta.name);
      // A name the collector writes is described by the collector alone.
      if (!metric || (metric.collector > 0 && !fromCollector)) continue;
      if (!sameMetric(metric.meta, meta)) {
        metric.meta = meta;
        described.set(meta.name, metric);
      }
    }
    let kept: Sample[] | undefined; // allocated only once a sample is refused
    const archived: Sample[] = [];
    const horizon = this.now() - this.options.retentionMs;
    message.samples.forEach((s, i) => {
      const refuse = () => (kept ??= message.samples.slice(0, i));
      if (s.t < horizon) {
        // Past the hot tier's retention: for the durable tiers only, if there are any.
        archived.push(s);
        return refuse();
      }
      let entry = this.entries.get(s.series);
      if (!entry) {
        entry = this.create(s.series, given);
        if (!entry) return refuse();
        series.push(entry.key);
        described.set(entry.metric.meta.name, entry.metric);
      }
      if (fromCollector && !entry.collector) this.claim(entry, s.t, described);
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
    return { announced: { series, metrics: [...described.values()].map((m) => m.meta) }, kept: kept ?? message.samples, archived };
  }

  /**
   * Puts points read back from disk at start into a series' ring (created, described by
   * `metrics` when it names it); points not after the ring's newest are left out. `times` must
   * not go back (a decoded chunk's do not).
   */
  restore(key: SeriesKey, times: ArrayLike<number>, values: ArrayLike<number>, metrics: ReadonlyMap<string, MetricMeta>): void {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.create(key, metrics);
      if (!entry) return;
    }
    const horizon = this.now() - this.options.retentionMs;
    // Chunks come in time order: skip what is past retention or not after the ring's newest, append the rest at once.
    const lastT = entry.ring.lastTime;
    const lastV = entry.ring.lastValue;
    let i = 0;
    while (i < times.length && (times[i]! < horizon || times[i]! < lastT || (times[i] === lastT && values[i] === lastV))) i++;
    // The rest are in time order: a decoded chunk is (the decoder refuses a time going back).
    entry.ring.pushMany(times, values, i, times.length);
  }

  /**
   * Makes room in each series' ring (created, described by `metrics` when it names it) for the
   * points `restore` is about to bring, before it brings them: every ring is sized once, and all
   * of them share buffers of SLAB_BYTES (a hundred or so at 10,000 series × 1 h) rather than ten
   * thousand allocations each prompting a collection. A ring that later outgrows its share moves
   * to its own arrays; a buffer is freed once no ring uses it, so a series that outlives the
   * others of its buffer holds at most SLAB_BYTES.
   */
  reserve(counts: Iterable<readonly [SeriesKey, number]>, metrics: ReadonlyMap<string, MetricMeta>): void {
    const sized: Array<{ ring: Ring; cap: number }> = [];
    for (const [key, points] of counts) {
      const entry = this.entries.get(key) ?? this.create(key, metrics);
      if (!entry) continue;
      const cap = entry.ring.reserved(points);
      if (cap > entry.ring.capacity) sized.push({ ring: entry.ring, cap });
    }
    const slabs: SharedArrayBuffer[] = [];
    let at = 0;
    while (at < sized.length) {
      let elements = 0;
      let end = at;
      // At least one ring per buffer, however large.
      while (end < sized.length && (end === at || (elements + sized[end]!.cap) * 16 <= SLAB_BYTES)) elements += sized[end++]!.cap;
      // Shared, so that another thread can map its pages meanwhile (see prefault).
      const slab = new SharedArrayBuffer(elements * 16);
      slabs.push(slab);
      let offset = 0;
      for (; at < end; at++) {
        const { ring, cap } = sized[at]!;
        ring.adopt(new Float64Array(slab, offset * 8, cap), new Float64Array(slab, (elements + offset) * 8, cap));
        offset += cap;
      }
    }
    prefault(slabs);
  }

  /**
   * Whether the series' ring is full and starts after `from`: it held more points since than
   * HISTORY_MAX_POINTS allows, and its oldest were let go (the disk may still have them).
   */
  truncated(key: SeriesKey, from: number): boolean {
    const ring = this.entries.get(key)?.ring;
    return ring !== undefined && ring.length >= this.options.maxPointsPerSeries && ring.timeAt(0) > from;
  }

  /** Every series with its newest point. */
  list(filter?: SeriesFilter): SeriesSummary[] {
    const out: SeriesSummary[] = [];
    for (const [key, entry] of this.entries) {
      if (filter && !filter.matches(key)) continue;
      out.push({ meta: toMeta(entry), t: entry.ring.lastTime, v: entry.ring.lastValue });
    }
    return out;
  }

  /** History of one series over the last `windowMs`, downsampled to at most `maxPoints`. */
  history(key: SeriesKey, windowMs: number, maxPoints: number): Pair[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return downsample(entry.ring, this.now() - windowMs, Infinity, maxPoints);
  }

  /**
   * The series with points in the last `windowMs` (those `choose` picks of them, if given), with
   * the cursor the result is consistent with and the descriptions of their names. At most
   * `maxPoints` points per series and `maxTotal` in all: past `maxTotal / maxPoints` series each
   * gets an equal share (min/max kept, at least one point), past `maxTotal` series the rest are
   * left out (the stream brings their new points).
   */
  snapshot(windowMs: number, maxPoints: number, { choose, maxTotal = Infinity }: SnapshotOptions = {}): Snapshot {
    const from = this.now() - windowMs;
    let chosen: Entry[] = [];
    for (const entry of this.entries.values()) if (entry.ring.length > 0 && entry.ring.lastTime >= from) chosen.push(entry);
    if (choose) {
      const keys = choose(chosen.map(toMeta));
      chosen = chosen.filter((e) => keys.has(e.key));
    }
    const share = Math.max(1, Math.min(maxPoints, Math.floor(maxTotal / Math.max(1, chosen.length))));
    const series: Snapshot['series'] = [];
    const metrics = new Map<string, MetricMeta>();
    for (const entry of chosen.slice(0, Math.max(1, Math.floor(maxTotal)))) {
      const points: Pair[] = downsample(entry.ring, from, Infinity, share);
      series.push({ key: entry.key, points });
      metrics.set(entry.metric.meta.name, entry.metric.meta);
    }
    return { cursor: this.cursor, takenAt: this.now(), windowMs, series, metrics: [...metrics.values()] };
  }

  private create(key: SeriesKey, given: ReadonlyMap<string, MetricMeta>): Entry | undefined {
    if (this.entries.size >= this.options.maxSeries) {
      this.dropped.seriesCap++;
      return undefined;
    }
    const { name, labels } = metaFromKey(key);
    let metric = this.metrics.get(name);
    if (!metric) this.metrics.set(name, (metric = { meta: given.get(name) ?? derived(name), series: 0, collector: 0 }));
    metric.series++;
    const entry = { key, labels, metric, ring: new Ring(this.options.maxPointsPerSeries), createdAt: this.now(), collector: false };
    this.entries.set(key, entry);
    this.heldKeyChars += key.length;
    return entry;
  }

  /**
   * Marks a series as the collector's from its first collector point on. Anything another writer
   * got in first is forged (the key holds this instance's name): points ahead of the collector's
   * are dropped, or they would hold its real ones out as out of order, and its name's description
   * goes back to what the name says.
   */
  private claim(entry: Entry, t: number, described: Map<string, Metric>): void {
    entry.collector = true;
    entry.metric.collector++;
    if (t < entry.ring.lastTime) entry.ring = new Ring(this.options.maxPointsPerSeries);
    const plain = derived(entry.metric.meta.name);
    if (!sameMetric(entry.metric.meta, plain)) {
      entry.metric.meta = plain;
      described.set(plain.name, entry.metric);
    }
  }

  /** Drops expired points of quiet series, and series left empty (and names left without series), at most every few seconds. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    const horizon = now - this.options.retentionMs;
    for (const [key, entry] of this.entries) {
      entry.ring.dropBefore(horizon);
      // A series announced ahead of its first point is kept for one retention period.
      if (entry.ring.length > 0 || entry.createdAt >= horizon) continue;
      this.entries.delete(key);
      this.heldKeyChars -= key.length;
      const { metric } = entry;
      metric.series--;
      if (entry.collector) metric.collector--;
      if (metric.series === 0) this.metrics.delete(metric.meta.name);
    }
  }
}

/** The description a name gives without any metadata. */
function derived(name: string): MetricMeta {
  return { name, unit: unitFromName(name), type: typeFromName(name) };
}

function toMeta({ key, labels, metric }: Entry): SeriesMeta {
  return { key, name: metric.meta.name, labels, unit: metric.meta.unit, type: metric.meta.type };
}

function sameMetric(a: MetricMeta, b: MetricMeta): boolean {
  return a.unit === b.unit && a.type === b.type && a.help === b.help;
}
