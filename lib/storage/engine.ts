import fs from 'node:fs';
import path from 'node:path';
import type { MetricMeta, Sample } from '@/lib/schema';
import { compareEntries, countParts, forEachPart, lookUp, readAllParts, readBlockDirectory, readBlockIndex, BlockFileReader, readPart, writeBlockSliced, type BlockDirectory, type BlockEntry, type BlockPart, type Tier } from './block';
import { chunkPoints, ChunkWriter, decodeChunk, type DecodedChunk } from './chunk';
import { Columns } from './columns';
import { forEachFrame, frame, scanFrames } from './frame';
import { decodeMessage, encodeMessage, RecordError, type MessageRecord } from './record';
import { Wal, recoverWal } from './wal';
import { writeFileDurably } from './write';

/*
 * The durable store under DATA_DIR (see docs/storage.md for the whole of it):
 *
 *   pulseboard.json                format version, cursor epoch and newest cursor, clean-stop flag
 *   series.log                     series ids → keys, appended as series appear (framed, CRC'd)
 *   wal/*.wal                      every kept message, written as it is applied, fsync'd every FSYNC_INTERVAL
 *   l0-<seq>-<mark>.blk            checkpoints: what the log below segment <mark> holds, compressed
 *   <raw|m1|h1>-<start>-<span>-<seq>.blk   sealed raw chunks, 1-minute and 1-hour rollups
 *   compaction.json                the journal of a sealing or rolling up in progress
 *
 * Points go into per-series columns as they arrive and are compressed into chunks when cut
 * (lib/storage/chunk.ts); 1-minute rollups (min, max, sum, count, last) are filled point by point.
 * A checkpoint every CHECKPOINT_INTERVAL writes what is new as one l0 block and lets the log go;
 * once an hour is over, its l0 parts are sealed into raw and m1 blocks; retention and
 * DATA_MAX_BYTES delete whole blocks, oldest first.
 */

export const FORMAT = 1;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
/** An hour is sealed this long after it ends, so late points of it still land in its block. */
const SEAL_GRACE_MS = 2 * MINUTE;
/** newest.bin: each series' newest stored point, id (u32), time and value (f64 each), and the time it is listed until (f64, see SeriesState.listT). */
const NEWEST_FILE = 'newest.bin';
const NEWEST_ENTRY = 28;
/** Points per chunk before a new one starts: bounds the memory an open chunk holds (16 B a point). */
const CHUNK_POINTS = 240;
const WAL_SEGMENT_BYTES = 64 * 1024 ** 2;
/** About what one point costs in the replay log besides its key (`{"series":…,"t":…,"v":…}`). */
const REPLAY_POINT_BYTES = 40;
/** Longest a checkpoint encodes before letting other work run. */
const SLICE_MS = 8;
/** The period whose day blocks of 1-hour rollups are merged into one (see compact); retention deletes h1 data a period at a time. */
const H1_PERIOD = 7 * DAY;
/** Most bytes one block written by a merge holds: more starts another (offsets in an index are u32). */
const MERGE_MAX_BYTES = 1024 ** 3;
/** How long merging waits after a failed merge before it tries again. */
const MERGE_RETRY_MS = HOUR;
/** Series forgotten at once, at least (or a tenth of those known, if more): see forget. */
const FORGET_MIN = 1_000;
/** Definitions per series.log record when it is rewritten, and about how many bytes (a frame read back holds at most 64 MiB). */
const DEFS_PER_RECORD = 10_000;
const DEFS_MAX_BYTES = 8 * 1024 ** 2;

export interface EngineOptions {
  dir: string;
  fsyncIntervalMs: number;
  retentionRawMs: number;
  retention1mMs: number;
  retention1hMs: number;
  maxBytes: number;
  /** How long the log is kept after a checkpoint, so streams resume across a restart (REPLAY_WINDOW). */
  keepLogMs: number;
  /** Bytes of replay log (REPLAY_MAX_BYTES) the checkpointed log records refill at start, newest first. */
  replayMaxBytes?: number;
  checkpointMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface SeriesState {
  id: number;
  key: string;
  lastT: number;
  lastV: number;
  /** The newest point written to a block (what newest.bin says after the next checkpoint). */
  savedT: number;
  savedV: number;
  /**
   * A time the series surely has data until, or later: for listing only (seriesWithin), never
   * for ordering writes. The end of the newest hour its blocks hold when newest.bin had to be
   * rebuilt from their indexes (missing or damaged), else its newest point.
   */
  listT: number;
  hour: number;
  raw: Columns | null;
  m1: Columns | null;
  parts: BlockPart[];
  bucket: number;
  bMin: number;
  bMax: number;
  bSum: number;
  bCount: number;
  bLast: number;
}

type BlockKind = 'l0' | 'raw' | 'm1' | 'h1';

interface BlockFile {
  file: string;
  kind: BlockKind;
  /** Start and length of the time the block holds (raw, m1: an hour or a day; h1: days); NaN for l0. */
  start: number;
  span: number;
  seq: number;
  bytes: number;
  /** l0: the hours its parts belong to, and the log segment its data reaches (records in segments below it are in it). */
  hours?: number[];
  mark?: number;
}

/** What a checkpoint took from a series, visible to reads until its block is written. */
interface Taken {
  state: SeriesState;
  /** The series' newest point when taken: every point up to it is in what was taken. */
  lastT: number;
  lastV: number;
  hour: number;
  parts: BlockPart[];
  raw: Columns | null;
  m1: Columns | null;
}

/** A replacement of blocks by others (sealing, rolling up), journalled so that a crash midway is undone or finished on start. */
interface Journal {
  inputs: string[];
  outputs: string[];
  committed: boolean;
}

/** A message read back from the log at start, to replay into the hot tier and the streams. */
export interface Recovered {
  cursor: string;
  collector: boolean;
  metrics: MetricMeta[];
  samples: Sample[];
  /** Already in blocks (before the last checkpoint): for streams resuming only, not for history. */
  checkpointed: boolean;
}

/** What /api/health and /api/metrics say of the store. */
export interface StorageStatus {
  state: 'ok' | 'degraded';
  /** Why history is not being saved, while degraded. */
  reason: string | null;
  since: number;
  dir: string;
  bytes: { total: number; wal: number; blocks: Record<BlockKind, number> };
  blocks: number;
  written: { walBytes: number; walRecords: number; blockBytes: number; samples: number; syncs: number };
  /** Bytes a raw point takes in the chunks encoded since start (NaN before the first). */
  rawBytesPerSample: number;
  checkpoints: number;
  seals: number;
  /** Merges of small blocks into a day's or a period's (see Engine.compact), and merges that failed. */
  merges: number;
  mergeFailures: number;
  /** Series forgotten because no data of theirs is kept any more (see Engine.forget). */
  forgotten: number;
  damaged: number;
  dropped: { outOfOrder: number; forSpace: number; unsaved: number };
}

/** Points of a series read back. `min`/`max`/`count` are set for rollups. */
export interface Series {
  t: number[];
  v: number[];
  min?: number[];
  max?: number[];
  count?: number[];
}

const EMPTY_BYTES = (): Record<BlockKind, number> => ({ l0: 0, raw: 0, m1: 0, h1: 0 });

export class StorageError extends Error {
  override readonly name = 'StorageError';
}

/** A merge abandoned because the store is closing. */
class MergeStopped extends Error {
  override readonly name = 'MergeStopped';
}

/** The embedded, crash-safe store: see the comment at the top of this file. */
export class Engine {
  private readonly series = new Map<string, SeriesState>();
  private readonly byId = new Map<number, SeriesState>();
  private nextId = 1;
  private pendingDefs: Array<[number, string]> = [];
  private walDefined = new Set<number>();
  private wal!: Wal;
  private walSegment = 0;
  private readonly dirty = new Set<SeriesState>();
  private blocks: BlockFile[] = [];
  private blockSeq = 1;
  private readonly directories = new Map<string, BlockDirectory>();
  /** Oldest point written since the last seal (not yet in a raw, m1 or h1 block). */
  private minTime = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | null = null;
  /** What the running checkpoint took and has not written yet: reads see it. */
  private inFlight: Taken[] = [];
  /** newest.bin is behind (its write failed, or it was rebuilt at start): written at the next checkpoint. */
  private newestStale = false;
  /** Whether the last run stopped cleanly (false after a crash or a kill). */
  cleanStop = true;
  private lastCursor: string | null = null;
  private metrics = new Map<string, MetricMeta>();
  private failure: { reason: string; since: number } | null = null;
  private okSince: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  /** Segments closed, with when: kept for keepLogMs after their checkpoint. */
  private readonly closedSegments: Array<{ seq: number; at: number }> = [];
  private walMark = 0;
  private closed = false;
  /** close() has begun: checkpoints then skip merging (it can wait for the next start). */
  private closing = false;
  /** No merge before this time (set after one failed). */
  private mergeAfter = 0;
  /** The oldest time a block held when forget last looked: it looks again once that moves. */
  private forgetHorizon = -Infinity;
  epoch = '';
  readonly stats = { rawPoints: 0, rawBytes: 0, blockBytes: 0, samples: 0, checkpoints: 0, seals: 0, merges: 0, mergeFailures: 0, forgotten: 0, damaged: 0, outOfOrder: 0, forSpace: 0 };

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => console.log(`[pulseboard] storage: ${line}`));
    this.okSince = this.now();
  }

  private get dir(): string {
    return this.options.dir;
  }

  /**
   * Opens DATA_DIR (created when absent): checks its format, reads the series and the block list,
   * cuts a torn log tail, and returns the logged messages to replay. Throws StorageError when
   * the directory holds another format or cannot be used at all.
   */
  open(): Recovered[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const metaFile = path.join(this.dir, 'pulseboard.json');
    let meta: { format?: unknown; epoch?: unknown; walMark?: unknown; blockSeq?: unknown; nextId?: unknown; metrics?: unknown; lastCursor?: unknown; clean?: unknown } = {};
    if (fs.existsSync(metaFile)) {
      try {
        meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as typeof meta;
      } catch (err) {
        throw new StorageError(`${metaFile} is not readable JSON (${(err as Error).message}): restore it from a backup, or move DATA_DIR away to start empty`);
      }
      if (meta.format !== FORMAT) {
        throw new StorageError(`${this.dir} holds data format ${String(meta.format)}, this Pulseboard reads format ${FORMAT}: run the version that wrote it, or move DATA_DIR away to start empty`);
      }
    }
    this.epoch = typeof meta.epoch === 'string' ? meta.epoch : Date.now().toString(36);
    this.walMark = typeof meta.walMark === 'number' ? meta.walMark : 0;
    this.lastCursor = typeof meta.lastCursor === 'string' ? meta.lastCursor : null;
    this.cleanStop = meta.clean !== false;
    if (Array.isArray(meta.metrics)) for (const m of meta.metrics as MetricMeta[]) this.metrics.set(m.name, m);
    for (const f of fs.readdirSync(this.dir)) if (f.endsWith('.tmp')) fs.rmSync(path.join(this.dir, f), { force: true });
    this.finishJournal();
    this.readSeriesLog();
    // Ids of forgotten series are not given again (series.log no longer names them).
    if (typeof meta.nextId === 'number' && meta.nextId > this.nextId) this.nextId = meta.nextId;
    const logged = new Set(this.byId.keys());
    this.scanBlocks();
    this.readNewest();
    this.blockSeq = Math.max(typeof meta.blockSeq === 'number' ? meta.blockSeq : 1, ...this.blocks.map((b) => b.seq + 1));
    // A checkpoint whose block was renamed into place covers its log even if the meta was not written after it.
    for (const b of this.blocks) if (b.kind === 'l0' && b.mark !== undefined && b.mark > this.walMark) this.walMark = b.mark;
    const walDir = path.join(this.dir, 'wal');
    // Checkpointed records only serve streams resuming across the restart: the newest that fit
    // the replay log (REPLAY_MAX_BYTES, at about what a point costs there) are kept, the rest are
    // not even turned into samples (5 minutes of 10,000 series is 3 M points), and segments older
    // than those are not read.
    let budget = this.options.replayMaxBytes ?? Infinity;
    const decoded = new WeakMap<Buffer, MessageRecord | null>();
    const decode = (payload: Buffer): MessageRecord | null => {
      let r = decoded.get(payload);
      if (r !== undefined) return r;
      try {
        r = decodeMessage(payload);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        r = null;
      }
      decoded.set(payload, r);
      return r;
    };
    const cost = (r: MessageRecord): number => {
      let bytes = 0;
      // A series defined in this record is not in byId yet: its key is in the record.
      const defined = r.defs.length > 0 ? new Map(r.defs) : undefined;
      for (const id of r.ids) bytes += (this.byId.get(id)?.key.length ?? defined?.get(id)?.length ?? 0) + REPLAY_POINT_BYTES;
      return bytes;
    };
    let older = budget;
    const recovery = recoverWal(walDir, this.walMark, (payloads) => {
      for (const payload of payloads) {
        const r = decode(payload);
        if (r) older -= cost(r);
      }
      return older >= 0;
    });
    if (recovery.tornBytes > 0) this.log(`cut a torn tail of ${recovery.tornBytes} bytes from the log (a write interrupted by a crash)`);
    if (recovery.damaged > 0) this.log(`skipped ${recovery.damaged} damaged log records`);
    this.stats.damaged += recovery.damaged;
    const records: Array<{ r: MessageRecord; checkpointed: boolean }> = [];
    for (const { payload, segment } of recovery.records) {
      const r = decode(payload);
      if (!r) {
        this.stats.damaged++;
        continue;
      }
      for (const [id, key] of r.defs) {
        // A series forgotten and seen again has a new id; the log may still define it under its old one too.
        const state = this.define(key, id);
        if (state.id !== id) this.byId.set(id, state);
        // Known only from the log: series.log gets it at the next checkpoint, before the log goes.
        if (!logged.has(id)) {
          logged.add(id);
          this.pendingDefs.push([id, key]);
        }
      }
      records.push({ r, checkpointed: segment < this.walMark });
      this.lastCursor = r.cursor;
    }
    let first = records.length;
    while (first > 0) {
      const { r, checkpointed } = records[first - 1]!;
      if (checkpointed) {
        budget -= cost(r);
        if (budget < 0) break;
      }
      first--;
    }
    const recovered: Recovered[] = [];
    // (Records not checkpointed all come after the checkpointed ones: the budget never skips one.)
    for (const { r, checkpointed } of records.slice(first)) {
      const samples: Sample[] = [];
      for (let i = 0; i < r.ids.length; i++) {
        const state = this.byId.get(r.ids[i]!);
        if (state) samples.push({ series: state.key, t: r.times[i]!, v: r.values[i]! });
      }
      recovered.push({ cursor: r.cursor, collector: r.collector, metrics: r.metrics, samples, checkpointed });
    }

    this.wal = new Wal({
      dir: walDir,
      fsyncIntervalMs: this.options.fsyncIntervalMs,
      segmentBytes: WAL_SEGMENT_BYTES,
      onError: (err) => this.fail(`cannot write the log: ${err.message}`),
      onRecovered: () => this.recover(),
    });
    // Appends go to a new segment: the recovered ones stay as they were read.
    this.walSegment = this.wal.roll();
    this.writeMeta(false);
    const checkpointMs = this.options.checkpointMs ?? MINUTE;
    this.timer = setInterval(() => void this.checkpoint(), checkpointMs);
    this.timer.unref();
    return recovered;
  }

  /** Feeds a recovered (not yet checkpointed) message back into the chunks, without logging it again. */
  replay(message: Recovered): void {
    for (const s of message.samples) {
      const state = this.series.get(s.series);
      if (state && this.accepts(state, s.t, s.v)) this.add(state, s.t, s.v);
    }
  }

  /**
   * Writes one message's samples (those the hot tier kept, and older ones within retention):
   * into the log at once, into compressed chunks in memory until the next checkpoint. A point
   * older than its series' newest stored one is dropped (counted), as the hot tier does.
   */
  write(cursor: string, collector: boolean, metrics: readonly MetricMeta[] | undefined, samples: readonly Sample[]): void {
    if (this.closed) return;
    if (this.wal.segment !== this.walSegment) {
      this.walSegment = this.wal.segment;
      this.walDefined = new Set();
    }
    const n = samples.length;
    const ids = new Uint32Array(n);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const defs: Array<[number, string]> = [];
    let kept = 0;
    for (const s of samples) {
      let state = this.series.get(s.series);
      if (!state) {
        state = this.define(s.series);
        this.pendingDefs.push([state.id, state.key]);
      }
      if (!this.accepts(state, s.t, s.v)) {
        this.stats.outOfOrder++;
        continue;
      }
      if (!this.walDefined.has(state.id)) {
        this.walDefined.add(state.id);
        defs.push([state.id, state.key]);
      }
      ids[kept] = state.id;
      times[kept] = s.t;
      values[kept] = s.v;
      kept++;
      this.add(state, s.t, s.v);
    }
    for (const m of metrics ?? []) {
      const had = this.metrics.get(m.name);
      if (!had || had.unit !== m.unit || had.type !== m.type || had.help !== m.help) this.metrics.set(m.name, m);
    }
    this.lastCursor = cursor;
    this.stats.samples += kept;
    const failedBefore = this.wal.stats.failedRecords;
    this.wal.append(encodeMessage({ cursor, collector, metrics: metrics ? [...metrics] : [], defs, ids: ids.subarray(0, kept), times: times.subarray(0, kept), values: values.subarray(0, kept) }));
    if (this.wal.segment !== this.walSegment || this.wal.stats.failedRecords !== failedBefore) {
      // A new segment defines its ids afresh, so it can be read without the ones before it (and a
      // record that failed took its definitions with it).
      this.walSegment = this.wal.segment;
      this.walDefined = new Set();
    }
  }

  /** Resolves once everything written so far is fsync'd (FSYNC_INTERVAL=0 waits for this before answering). */
  synced(): Promise<void> {
    if (this.wal.failing) return Promise.reject(new StorageError(`history cannot be saved (${this.failure?.reason ?? 'the log cannot be written'})`));
    return this.wal.synced();
  }

  /** Whether the store holds a series (on disk or in its open chunks). */
  has(key: string): boolean {
    return this.series.has(key);
  }

  /** Series known to the store. */
  get size(): number {
    return this.series.size;
  }

  /** Time of the newest point stored for a series, if any. */
  newest(key: string): number | undefined {
    const t = this.series.get(key)?.lastT;
    return t === undefined || t === -Infinity ? undefined : t;
  }

  /** Descriptions of metric names as last stored. */
  storedMetrics(): MetricMeta[] {
    return [...this.metrics.values()];
  }

  /** The stored description of one metric name. */
  storedMetric(name: string): MetricMeta | undefined {
    return this.metrics.get(name);
  }

  private accepts(state: SeriesState, t: number, v: number): boolean {
    return t > state.lastT || (t === state.lastT && v !== state.lastV);
  }

  private define(key: string, id?: number): SeriesState {
    const existing = this.series.get(key);
    if (existing) return existing;
    const state: SeriesState = {
      id: id ?? this.nextId,
      key,
      lastT: -Infinity,
      lastV: NaN,
      savedT: -Infinity,
      savedV: NaN,
      listT: -Infinity,
      hour: NaN,
      raw: null,
      m1: null,
      parts: [],
      bucket: NaN,
      bMin: 0,
      bMax: 0,
      bSum: 0,
      bCount: 0,
      bLast: 0,
    };
    this.nextId = Math.max(this.nextId, state.id + 1);
    this.series.set(key, state);
    this.byId.set(state.id, state);
    return state;
  }

  private add(state: SeriesState, t: number, v: number): void {
    const hour = t - mod(t, HOUR);
    if (hour !== state.hour) {
      this.closeBucket(state);
      this.cut(state);
      state.hour = hour;
    }
    (state.raw ??= new Columns(1)).push(t, v);
    if (state.raw.length >= CHUNK_POINTS) this.cutTier(state, 'raw');
    const bucket = t - mod(t, MINUTE);
    if (bucket !== state.bucket) {
      this.closeBucket(state);
      state.bucket = bucket;
    }
    if (state.bCount === 0) {
      state.bMin = v;
      state.bMax = v;
      state.bSum = 0;
    } else {
      if (v < state.bMin) state.bMin = v;
      if (v > state.bMax) state.bMax = v;
    }
    state.bSum += v;
    state.bCount++;
    state.bLast = v;
    state.lastT = t;
    state.lastV = v;
    if (t < this.minTime) this.minTime = t;
    this.dirty.add(state);
  }

  /** Ends the open 1-minute bucket (a checkpoint ends it early: parts of a bucket are merged when read). */
  private closeBucket(state: SeriesState): void {
    if (state.bCount === 0) return;
    (state.m1 ??= new Columns(5)).push(state.bucket, state.bMin, state.bMax, state.bSum, state.bCount, state.bLast);
    state.bCount = 0;
    if (state.m1.length >= CHUNK_POINTS) this.cutTier(state, 'm1');
  }

  /** A series' columns as one chunk (raw ones counted for pulseboard_storage_raw_bytes_per_sample). */
  private encode(tier: Tier, columns: Columns): Uint8Array {
    const chunk = columns.encode();
    if (tier === 'raw') {
      this.stats.rawPoints += columns.length;
      this.stats.rawBytes += chunk.length;
    }
    return chunk;
  }

  private cutTier(state: SeriesState, tier: Tier): void {
    const columns = tier === 'raw' ? state.raw : state.m1;
    if (!columns || columns.length === 0) return;
    const chunk = this.encode(tier, columns);
    columns.clear();
    const last = state.parts.at(-1);
    if (last && last.tier === tier && last.hour === state.hour) last.chunks.push(chunk);
    else state.parts.push({ id: state.id, tier, hour: state.hour, chunks: [chunk] });
  }

  private cut(state: SeriesState): void {
    this.cutTier(state, 'raw');
    this.cutTier(state, 'm1');
  }

  /**
   * Writes everything new since the last checkpoint as one l0 block, then seals finished hours,
   * applies retention and DATA_MAX_BYTES, and lets the log go. What is new is taken at once (the
   * block holds exactly what the log holds before the segment the checkpoint starts), then
   * encoded in slices of a few milliseconds so ingest and streams go on; reads see it meanwhile.
   * A failure puts it back for the next try, keeps the log, and reports the store degraded;
   * deletions (retention, the byte cap) run whether writing works or not. One at a time: a call
   * during one joins it.
   */
  checkpoint(): Promise<void> {
    if (this.closed || !this.wal) return Promise.resolve();
    this.checkpointing ??= this.runCheckpoint().finally(() => (this.checkpointing = null));
    return this.checkpointing;
  }

  private async runCheckpoint(): Promise<void> {
    const mark = this.wal.roll();
    const taken: Taken[] = [];
    for (const state of this.dirty) {
      this.closeBucket(state);
      taken.push({ state, lastT: state.lastT, lastV: state.lastV, hour: state.hour, parts: state.parts, raw: state.raw, m1: state.m1 });
      state.parts = [];
      state.raw = null;
      state.m1 = null;
    }
    this.dirty.clear();
    this.inFlight = taken;
    let slice = performance.now();
    for (const t of taken) {
      this.encodeTaken(t);
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    let written = true;
    try {
      if (this.pendingDefs.length > 0) {
        appendFramed(path.join(this.dir, 'series.log'), Buffer.from(JSON.stringify(this.pendingDefs), 'utf8'));
        this.pendingDefs = [];
      }
      const parts = taken.flatMap((t) => t.parts);
      if (parts.length > 0) this.addBlock(await this.writeL0(parts, mark, slicer()));
      for (const t of taken) {
        if (t.lastT > t.state.savedT) {
          t.state.savedT = t.lastT;
          t.state.savedV = t.lastV;
        }
      }
    } catch (err) {
      // Back where they were, ahead of anything cut since, for the next checkpoint.
      for (const t of taken) {
        t.state.parts = [...t.parts, ...t.state.parts];
        this.dirty.add(t.state);
      }
      written = false;
      this.fail(`cannot write a checkpoint: ${(err as Error).message}`);
    } finally {
      this.inFlight = [];
    }
    try {
      // Deleting frees space: it runs even when nothing could be written.
      this.expire();
    } catch (err) {
      this.fail(`cannot delete expired blocks: ${(err as Error).message}`);
    }
    if (!written) return;
    this.walMark = mark;
    this.stats.checkpoints++;
    try {
      await this.seal();
      await this.rollUpExpired();
      // What sealing made may be past retention or over the cap at once (backfilled history).
      this.expire();
      this.writeMeta(false);
      this.releaseLog(mark);
      if (this.failure && !this.wal.failing) this.recover();
    } catch (err) {
      this.fail(`cannot seal or roll up blocks: ${(err as Error).message}`);
    }
    try {
      // Its own step: the block is in place whatever happens here (rewritten whole at the next checkpoint).
      if (taken.length > 0 || this.newestStale) await this.writeNewest(slicer());
      this.newestStale = false;
    } catch (err) {
      this.newestStale = true;
      this.fail(`cannot write ${NEWEST_FILE}: ${(err as Error).message}`);
    }
    if (!this.failure) {
      try {
        await this.forget(slicer());
      } catch (err) {
        this.log(`cannot forget series that hold no data any more (tried again at the next checkpoint): ${(err as Error).message}`);
      }
    }
    if (this.closing || this.now() < this.mergeAfter) return;
    try {
      await this.compact();
    } catch (err) {
      if (err instanceof MergeStopped) return;
      // Nothing is lost (the inputs stay, and reads use them): not a reason to say history is not saved.
      this.stats.mergeFailures++;
      this.mergeAfter = this.now() + MERGE_RETRY_MS;
      this.log(`cannot merge blocks (tried again in an hour; reads use the blocks as they are): ${(err as Error).message}`);
    }
  }

  /** Encodes what a checkpoint took from one series into its parts. */
  private encodeTaken(t: Taken): void {
    for (const [tier, columns] of [['raw', t.raw], ['m1', t.m1]] as const) {
      if (!columns || columns.length === 0) continue;
      const chunk = this.encode(tier, columns);
      t.parts.push({ id: t.state.id, tier, hour: t.hour, chunks: [chunk] });
    }
    t.raw = null;
    t.m1 = null;
  }

  private async writeL0(parts: BlockPart[], mark: number, pause: () => Promise<void> | undefined): Promise<BlockFile> {
    const seq = this.blockSeq++;
    const file = path.join(this.dir, `l0-${seq}-${mark}.blk`);
    const bytes = await writeBlockSliced(file, parts, pause);
    this.stats.blockBytes += bytes;
    return { file, kind: 'l0', start: NaN, span: NaN, seq, bytes, hours: [...new Set(parts.map((p) => p.hour))], mark };
  }

  private async writeSealed(kind: Exclude<BlockKind, 'l0'>, start: number, span: number, parts: Iterable<BlockPart>, pause: () => Promise<void> | undefined): Promise<BlockFile> {
    const seq = this.blockSeq++;
    const file = path.join(this.dir, `${kind}-${start}-${span}-${seq}.blk`);
    const bytes = await writeBlockSliced(file, parts, pause);
    this.stats.blockBytes += bytes;
    return { file, kind, start, span, seq, bytes };
  }

  private addBlock(block: BlockFile): void {
    this.blocks.push(block);
  }

  /**
   * Seals every hour that ended more than SEAL_GRACE_MS ago: its l0 parts become raw and m1
   * blocks, an hour a block for the last day and a day a block before (backfilled history does
   * not make a file per hour); parts already past their tier's retention are dropped (raw) or
   * rolled into 1-hour rollups (m1). Only l0 blocks holding such an hour are read; what they hold
   * of later hours is carried into a new l0 block. Journalled (see replace).
   */
  private async seal(): Promise<void> {
    const now = this.now();
    const sealBefore = now - SEAL_GRACE_MS - HOUR;
    const inputs = this.blocks.filter((b) => b.kind === 'l0' && b.hours!.some((h) => h <= sealBefore));
    if (inputs.length === 0) return;
    const pause = slicer();
    // Parts by tier, block start and span, then by series and hour (a number: id × 32 + the hour within the span).
    const groups = new Map<string, { kind: 'raw' | 'm1'; start: number; span: number; parts: Map<number, BlockPart> }>();
    const toH1: BlockPart[] = [];
    const carry: BlockPart[] = [];
    for (const block of inputs) {
      await pause();
      const { parts, damaged } = readAllParts(block.file);
      this.noteDamage(block.file, damaged);
      for (let i = 0; i < parts.length; i++) {
        if (i % 1024 === 1023) await pause();
        const part = parts[i]!;
        if (part.hour > sealBefore) {
          carry.push(copyPart(part));
          continue;
        }
        const end = part.hour + HOUR;
        if (part.tier === 'raw' && end <= now - this.options.retentionRawMs) continue;
        if (part.tier === 'm1' && end <= now - this.options.retention1mMs) {
          toH1.push(part);
          continue;
        }
        if (part.tier === 'h1') continue;
        const span = part.hour >= now - DAY ? HOUR : DAY;
        const start = part.hour - mod(part.hour, span);
        const k = `${part.tier}:${start}:${span}`;
        let group = groups.get(k);
        if (!group) groups.set(k, (group = { kind: part.tier, start, span, parts: new Map() }));
        const pk = part.id * 32 + (part.hour - start) / HOUR;
        const had = group.parts.get(pk);
        // The part is this read's own (its chunks are views of the block's bytes): kept as it is.
        if (had) for (const chunk of part.chunks) had.chunks.push(chunk);
        else group.parts.set(pk, part);
      }
    }
    const mark = Math.max(...inputs.map((b) => b.mark ?? 0));
    await this.replace(inputs, async () => {
      const out: BlockFile[] = [];
      // The carry first: if the process dies before the journal commits, it is deleted again.
      if (carry.length > 0) out.push(await this.writeL0(carry, mark, pause));
      for (const g of [...groups.values()].sort((a, b) => a.start - b.start)) out.push(await this.writeSealed(g.kind, g.start, g.span, [...g.parts.values()], pause));
      const h1 = await this.rollParts(toH1, pause);
      if (h1) out.push(h1);
      return out;
    });
    this.minTime = carry.reduce((m, p) => Math.min(m, p.hour), Infinity);
    this.stats.seals++;
  }

  /** 1-hour rollups of 1-minute parts, a part per series and day, as one h1 block (undefined when there are none). */
  private async rollParts(parts: readonly BlockPart[], pause: () => Promise<void> | undefined): Promise<BlockFile | undefined> {
    const byId = new Map<number, Map<number, number[]>>(); // id → hour → [min, max, sum, count, last]
    for (const part of parts) {
      await pause();
      let hours = byId.get(part.id);
      if (!hours) byId.set(part.id, (hours = new Map()));
      for (const chunk of part.chunks) {
        const decoded = tryDecode(chunk, (n) => (this.stats.damaged += n));
        if (!decoded) continue;
        const [min, max, sum, count, last] = decoded.values as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
        for (let i = 0; i < decoded.times.length; i++) {
          const hour = decoded.times[i]! - mod(decoded.times[i]!, HOUR);
          mergeBucket(hours, hour, min[i]!, max[i]!, sum[i]!, count[i]!, last[i]!);
        }
      }
    }
    const out: BlockPart[] = [];
    let first = Infinity;
    let last = -Infinity;
    for (const [id, hours] of byId) {
      await pause();
      const byDay = new Map<number, Array<[number, number[]]>>();
      for (const [hour, b] of hours) {
        const day = hour - mod(hour, DAY);
        byDay.set(day, [...(byDay.get(day) ?? []), [hour, b]]);
      }
      for (const [day, buckets] of byDay) {
        const writer = new ChunkWriter(5);
        for (const [hour, b] of buckets.sort((a, c) => a[0] - c[0])) writer.append(hour, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!);
        out.push({ id, tier: 'h1', hour: day, chunks: [writer.finish()] });
        first = Math.min(first, day);
        last = Math.max(last, day + DAY);
      }
    }
    return out.length > 0 ? this.writeSealed('h1', first, last - first, out, pause) : undefined;
  }

  /** Rolls 1-minute blocks past RETENTION_1M into one block of 1-hour rollups. */
  private async rollUpExpired(): Promise<void> {
    const horizon = this.now() - this.options.retention1mMs;
    const old = this.blocks.filter((b) => b.kind === 'm1' && b.start + b.span <= horizon);
    if (old.length === 0) return;
    const pause = slicer();
    const parts: BlockPart[] = [];
    for (const block of old) {
      await pause();
      const read = readAllParts(block.file);
      this.noteDamage(block.file, read.damaged);
      parts.push(...read.parts);
    }
    await this.replace(old, async () => {
      const h1 = await this.rollParts(parts, pause);
      return h1 ? [h1] : [];
    });
  }

  /** The oldest time any block holds data of (an l0 block's oldest hour); Infinity when there are none. */
  private oldestHeld(): number {
    let oldest = Infinity;
    for (const b of this.blocks) oldest = Math.min(oldest, b.kind === 'l0' ? Math.min(...b.hours!) : b.start);
    return oldest;
  }

  /**
   * Forgets the series that hold no data any more: their newest point is older than every block
   * (retention or DATA_MAX_BYTES deleted the blocks that had it), nothing of theirs waits to be
   * written, and no block has a part of theirs (looked up in the blocks themselves: after a crash
   * newest.bin may be a checkpoint behind). Once FORGET_MIN of them (or a tenth of the series)
   * are found, series.log is rewritten without them (to a temporary file, fsync'd, renamed) and
   * they leave memory, so that both follow what is kept, not every series ever seen: pods come
   * and go, and the series known count against MAX_SERIES for old points. A forgotten series
   * that comes back is a new series with a new id (ids are never given twice: pulseboard.json
   * keeps the next one). Looks only when the oldest block has changed.
   */
  private async forget(pause: () => Promise<void> | undefined): Promise<void> {
    const horizon = this.oldestHeld();
    if (horizon === this.forgetHorizon) return;
    this.forgetHorizon = horizon;
    const quiet = (state: SeriesState) =>
      Math.max(state.lastT, state.savedT, state.listT) < horizon &&
      !this.dirty.has(state) &&
      state.parts.length === 0 &&
      !(state.raw && state.raw.length > 0) &&
      !(state.m1 && state.m1.length > 0) &&
      state.bCount === 0;
    const candidates: SeriesState[] = [];
    for (const state of this.series.values()) if (quiet(state)) candidates.push(state);
    if (candidates.length < Math.max(FORGET_MIN, this.series.size / 10)) return;
    // The tiers each kind of block holds parts of.
    const tiers = { l0: ['raw', 'm1'], raw: ['raw'], m1: ['m1'], h1: ['h1'] } as const;
    const opened = this.blocks.map((block) => ({ directory: this.directory(block), fd: fs.openSync(block.file, 'r'), tiers: tiers[block.kind] }));
    const dead: SeriesState[] = [];
    try {
      for (let i = 0; i < candidates.length; i++) {
        if (i % 64 === 63) await pause();
        const state = candidates[i]!;
        if (!opened.some(({ directory, fd, tiers }) => tiers.some((tier) => lookUp(directory, fd, state.id, tier).length > 0))) dead.push(state);
      }
    } finally {
      for (const { fd } of opened) fs.closeSync(fd);
    }
    // Points may have come for some while the blocks were looked up.
    const gone = new Set(dead.filter(quiet));
    if (gone.size < FORGET_MIN) return;
    const kept = [...this.series.values()].filter((state) => !gone.has(state));
    // Records well under the 64 MiB a frame of series.log may hold when read back (a key's
    // character is at most 6 bytes of JSON, counted as 3: a record stays under 16 MiB).
    const records: Buffer[] = [];
    for (let i = 0; i < kept.length; ) {
      const defs: Array<[number, string]> = [];
      let bytes = 0;
      for (; i < kept.length && defs.length < DEFS_PER_RECORD && bytes < DEFS_MAX_BYTES; i++) {
        defs.push([kept[i]!.id, kept[i]!.key]);
        bytes += 3 * kept[i]!.key.length + 16;
      }
      records.push(frame(Buffer.from(JSON.stringify(defs), 'utf8')));
    }
    // pulseboard.json first: the next id must be known before series.log stops naming the highest.
    this.writeMeta(false);
    writeFileDurably(path.join(this.dir, 'series.log'), Buffer.concat(records));
    this.pendingDefs = [];
    for (const state of gone) {
      this.series.delete(state.key);
      this.byId.delete(state.id);
    }
    this.newestStale = true;
    this.stats.forgotten += gone.size;
    this.log(`forgot ${gone.size} series that hold no data any more (${kept.length} kept)`);
  }

  /**
   * Merges the small blocks sealing and rolling up leave into few, so that a long window reads
   * few files: the hour blocks of 1-minute rollups of a day, once every hour of it is sealed (a
   * 30-day window then reads about 30 blocks, not 720), and the day blocks of 1-hour rollups of a
   * 7-day period (H1_PERIOD), once all of it is rolled up (a year then reads about 52, not 365).
   * Only blocks smaller than their period are merged, and the output spans the whole period, so
   * a merged block is never merged again: late points for a merged day (sealed into blocks of
   * their own) are merged among themselves, not rewritten with the day. One merge a checkpoint,
   * so a directory with many days to merge (an upgrade) spreads them out; stopped by close()
   * (undone: the next start tries again). Raw blocks stay an hour each: RETENTION_RAW deletes
   * them by the hour.
   */
  private async compact(): Promise<void> {
    const now = this.now();
    const groups = new Map<string, { period: number; span: number; blocks: BlockFile[] }>();
    for (const b of this.blocks) {
      const span = b.kind === 'm1' ? DAY : b.kind === 'h1' ? H1_PERIOD : 0;
      if (!(b.span < span)) continue;
      const period = b.start - mod(b.start, span);
      if (b.start + b.span > period + span) continue;
      // Every hour of the day sealed; every day of the period rolled up.
      if (b.kind === 'm1' ? period + DAY + HOUR + SEAL_GRACE_MS > now : period + span > now - this.options.retention1mMs) continue;
      const k = `${b.kind}:${period}`;
      const group = groups.get(k) ?? { period, span, blocks: [] };
      group.blocks.push(b);
      groups.set(k, group);
    }
    for (const { period, span, blocks } of groups.values()) {
      if (blocks.length < 2) continue;
      await this.merge(
        blocks.sort((a, b) => a.seq - b.seq),
        period,
        span,
      );
      this.stats.merges++;
      return;
    }
  }

  /**
   * Replaces blocks of one kind by one holding all their parts (more than one past
   * MERGE_MAX_BYTES), journalled like sealing. Parts are read one at a time through the inputs'
   * indexes while the output is written, so memory does not grow with the size of a day; the
   * chunks of a (series, hour) found in several inputs are kept in the inputs' order, as reads
   * would have taken them.
   */
  private async merge(inputs: readonly BlockFile[], start: number, span: number): Promise<void> {
    const kind = inputs[0]!.kind as Exclude<BlockKind, 'l0'>;
    const all: Array<{ entry: BlockEntry; input: number }> = [];
    inputs.forEach((block, input) => {
      const index = readBlockIndex(block.file);
      this.noteDamage(block.file, index.damaged);
      for (const entry of index.entries) all.push({ entry, input });
    });
    all.sort((a, b) => compareEntries(a.entry, b.entry) || a.input - b.input);
    // Outputs: runs of whole (series, tier, hour) groups of at most MERGE_MAX_BYTES each.
    const runs: Array<[from: number, to: number]> = [];
    for (let i = 0, from = 0, bytes = 0; i <= all.length; i++) {
      const same = i > 0 && i < all.length && sameSlot(all[i]!.entry, all[i - 1]!.entry);
      if (i === all.length || (!same && bytes + all[i]!.entry.length > MERGE_MAX_BYTES && i > from)) {
        if (i > from) runs.push([from, i]);
        from = i;
        bytes = 0;
      }
      if (i < all.length) bytes += all[i]!.entry.length;
    }
    const fds = inputs.map((b) => fs.openSync(b.file, 'r'));
    const slice = slicer();
    // A stop does not wait for a merge: it is abandoned (undone by the journal) at its next pause.
    const pause = () => {
      if (this.closing) throw new MergeStopped();
      return slice();
    };
    const damaged = (input: number) => this.noteDamage(inputs[input]!.file, 1);
    function* parts(from: number, to: number): Generator<BlockPart> {
      for (let i = from; i < to; ) {
        const first = all[i]!.entry;
        const part: BlockPart = { id: first.id, tier: first.tier, hour: first.hour, chunks: [] };
        for (; i < to && sameSlot(all[i]!.entry, first); i++) {
          const read = readPart(fds[all[i]!.input]!, all[i]!.entry);
          if (read) part.chunks.push(...read.chunks);
          else damaged(all[i]!.input);
        }
        if (part.chunks.length > 0) yield part;
      }
    }
    try {
      await this.replace(inputs, async () => {
        const out: BlockFile[] = [];
        for (const [from, to] of runs) out.push(await this.writeSealed(kind, start, span, parts(from, to), pause));
        return out;
      });
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  }

  /**
   * Replaces `inputs` by the blocks `write` writes, so that a crash at any point leaves one or
   * the other: a journal names both before anything is written, is marked committed once every
   * output is in place, and only then are the inputs deleted. On start, an uncommitted journal's
   * outputs are deleted, a committed one's inputs (see finishJournal).
   */
  private async replace(inputs: readonly BlockFile[], write: () => Promise<BlockFile[]>): Promise<void> {
    const journalFile = path.join(this.dir, 'compaction.json');
    const journal: Journal = { inputs: inputs.map((b) => path.basename(b.file)), outputs: [], committed: false };
    // The outputs' names are known only as they are written: the journal lists the sequence numbers they will have.
    const firstSeq = this.blockSeq;
    writeFileDurably(journalFile, JSON.stringify({ ...journal, fromSeq: firstSeq }));
    let outputs: BlockFile[];
    try {
      outputs = await write();
    } catch (err) {
      this.undoJournal(firstSeq);
      fs.rmSync(journalFile, { force: true });
      throw err;
    }
    journal.outputs = outputs.map((b) => path.basename(b.file));
    journal.committed = true;
    try {
      writeFileDurably(journalFile, JSON.stringify(journal));
    } catch (err) {
      // Not committed: the outputs go, or a later journal would leave them beside their inputs.
      this.undoJournal(firstSeq);
      fs.rmSync(journalFile, { force: true });
      throw err;
    }
    for (const b of outputs) this.addBlock(b);
    this.removeBlocks(inputs);
    fs.rmSync(journalFile, { force: true });
  }

  /** Deletes blocks numbered from `fromSeq` on (the outputs of a replacement that did not finish). */
  private undoJournal(fromSeq: number): void {
    for (const f of fs.readdirSync(this.dir)) {
      const seq = blockSeqOf(f);
      if (seq !== undefined && seq >= fromSeq) fs.rmSync(path.join(this.dir, f), { force: true });
    }
  }

  /** At start: finishes a committed replacement (deletes its inputs) or undoes one that was not (deletes its outputs). */
  private finishJournal(): void {
    const journalFile = path.join(this.dir, 'compaction.json');
    if (!fs.existsSync(journalFile)) return;
    let journal: Partial<Journal> & { fromSeq?: number } = {};
    try {
      journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as typeof journal;
    } catch {
      // Torn while being written: nothing was written after it, so there is nothing to undo.
    }
    if (journal.committed && Array.isArray(journal.inputs)) {
      for (const f of journal.inputs) fs.rmSync(path.join(this.dir, path.basename(f)), { force: true });
      this.log(`finished a compaction interrupted after it committed (${journal.inputs.length} blocks replaced)`);
    } else if (typeof journal.fromSeq === 'number') {
      this.undoJournal(journal.fromSeq);
      this.log('undid a compaction interrupted before it committed (its inputs are kept)');
    }
    fs.rmSync(journalFile, { force: true });
  }

  /**
   * Retention by tier: raw blocks past RETENTION_RAW and h1 blocks past RETENTION_1H go. Then,
   * over DATA_MAX_BYTES, log segments kept only for resuming streams go first, then the oldest
   * raw blocks, then the oldest rollups. Only deletes: it runs even when the disk is full.
   */
  private expire(): void {
    const now = this.now();
    const gone = new Set<BlockFile>();
    for (const b of this.blocks) {
      if (b.kind === 'raw' && b.start + b.span <= now - this.options.retentionRawMs) gone.add(b);
      if (b.kind === 'h1' && b.start + b.span <= now - this.options.retention1hMs) gone.add(b);
    }
    this.removeBlocks(gone);
    let total = this.totalBytes();
    if (total > this.options.maxBytes && this.walMark > 0) {
      this.wal.dropBefore(this.walMark);
      this.closedSegments.length = 0;
      total = this.totalBytes();
    }
    if (total <= this.options.maxBytes) return;
    const over = new Set<BlockFile>();
    for (const kind of ['raw', 'm1', 'h1'] as const) {
      for (const b of this.blocks.filter((x) => x.kind === kind).sort((a, c) => a.start - c.start || a.seq - c.seq)) {
        if (total <= this.options.maxBytes) break;
        total -= b.bytes;
        over.add(b);
        this.stats.forSpace++;
      }
    }
    this.removeBlocks(over);
  }

  private removeBlocks(blocks: Iterable<BlockFile>): void {
    const set = new Set(blocks);
    if (set.size === 0) return;
    for (const block of set) {
      fs.rmSync(block.file, { force: true });
      this.directories.delete(block.file);
    }
    this.blocks = this.blocks.filter((b) => !set.has(b));
  }

  /** Lets log segments go once checkpointed and older than keepLogMs (streams resume from them across a restart). */
  private releaseLog(mark: number): void {
    const now = this.now();
    this.closedSegments.push({ seq: mark, at: now });
    let release = 0;
    while (this.closedSegments.length > 0 && now - this.closedSegments[0]!.at >= this.options.keepLogMs) release = this.closedSegments.shift()!.seq;
    if (release > 0) this.wal.dropBefore(release);
  }

  private totalBytes(): number {
    return this.blocks.reduce((n, b) => n + b.bytes, 0) + this.walBytes();
  }

  private walBytes(): number {
    return this.wal.diskBytes;
  }

  /**
   * Writes newest.bin: each series' newest point in the blocks (id, time, value), replaced whole
   * and fsync'd after each checkpoint's block. After a restart it says which series have data in
   * a window without reading any block (seriesWithin), and a point resent for a series quiet for
   * longer than the hot tier is still known to be stored. Only points in blocks: one acknowledged
   * but lost with the log's unsynced tail in a crash can be sent again.
   */
  private async writeNewest(pause: () => Promise<void> | undefined): Promise<void> {
    const entries: SeriesState[] = [];
    for (const state of this.series.values()) if (state.savedT > -Infinity || state.listT > -Infinity) entries.push(state);
    const payload = Buffer.allocUnsafe(4 + entries.length * NEWEST_ENTRY);
    let at = payload.writeUInt32LE(entries.length, 0);
    for (let i = 0; i < entries.length; i++) {
      const state = entries[i]!;
      at = payload.writeUInt32LE(state.id, at);
      at = payload.writeDoubleLE(state.savedT, at);
      at = payload.writeDoubleLE(state.savedV, at);
      at = payload.writeDoubleLE(Math.max(state.savedT, state.listT), at);
      if (i % 4096 === 4095) await pause();
    }
    writeFileDurably(path.join(this.dir, NEWEST_FILE), frame(payload));
  }

  /**
   * Reads newest.bin (see writeNewest). When it is missing or damaged while blocks exist (a
   * directory from before it, a flipped bit), each series' listing time is rebuilt from the
   * blocks' indexes instead, once: the end of the newest hour each holds (a start reads every
   * index then, ~2 s for 30 days of 10,000 series; newest.bin is whole again after the next
   * checkpoint). Exact newest points are then learnt from the refill and from data as it comes.
   */
  private readNewest(): void {
    const file = path.join(this.dir, NEWEST_FILE);
    let intact = false;
    if (fs.existsSync(file)) {
      const bytes = fs.readFileSync(file);
      const scan = forEachFrame(bytes, bytes.length, (payload) => {
        if (payload.length < 4) return;
        const n = payload.readUInt32LE(0);
        if (4 + n * NEWEST_ENTRY !== payload.length) return;
        intact = true;
        for (let i = 0, at = 4; i < n; i++, at += NEWEST_ENTRY) {
          const state = this.byId.get(payload.readUInt32LE(at));
          if (!state) continue;
          const t = payload.readDoubleLE(at + 4);
          if (t > state.lastT) {
            state.lastT = state.savedT = t;
            state.lastV = state.savedV = payload.readDoubleLE(at + 12);
          }
          state.listT = Math.max(state.listT, payload.readDoubleLE(at + 20));
        }
      });
      const damaged = scan.damaged + (scan.tailBytes > 0 ? 1 : 0) + (intact ? 0 : 1);
      this.noteDamage(file, damaged);
    }
    if (intact || this.blocks.length === 0) return;
    this.log(`${NEWEST_FILE} is ${fs.existsSync(file) ? 'damaged' : 'missing'}: rebuilding which series hold data when from the ${this.blocks.length} blocks' indexes`);
    for (const block of this.blocks) {
      for (const e of readBlockIndex(block.file).entries) {
        const state = this.byId.get(e.id);
        if (state) state.listT = Math.max(state.listT, e.hour + (e.tier === 'h1' ? DAY : HOUR));
      }
    }
    this.newestStale = true;
  }

  private readSeriesLog(): void {
    const file = path.join(this.dir, 'series.log');
    if (!fs.existsSync(file)) return;
    const scan = scanFrames(fs.readFileSync(file), 64 * 1024 ** 2);
    if (scan.damaged > 0 || scan.tailBytes > 0) {
      this.log(`series.log: skipped ${scan.damaged + (scan.tailBytes > 0 ? 1 : 0)} damaged records`);
      this.stats.damaged += scan.damaged + (scan.tailBytes > 0 ? 1 : 0);
      if (scan.tailBytes > 0) fs.truncateSync(file, scan.end);
    }
    for (const payload of scan.payloads) {
      try {
        for (const [id, key] of JSON.parse(payload.toString('utf8')) as Array<[number, string]>) this.define(key, id);
      } catch {
        this.stats.damaged++;
      }
    }
  }

  /** The blocks in DATA_DIR, from their names (an l0 block's hours from its index). */
  private scanBlocks(): void {
    for (const f of fs.readdirSync(this.dir)) {
      const name = parseBlockName(f);
      if (!name) continue;
      const file = path.join(this.dir, f);
      const bytes = fs.statSync(file).size;
      if (name.kind === 'l0') {
        const index = readBlockIndex(file);
        this.noteDamage(file, index.damaged);
        this.blocks.push({ file, kind: 'l0', start: NaN, span: NaN, seq: name.seq, bytes, mark: name.mark, hours: [...new Set(index.entries.map((e) => e.hour))] });
      } else this.blocks.push({ file, kind: name.kind, start: name.start, span: name.span, seq: name.seq, bytes });
    }
    this.blocks.sort((x, y) => x.seq - y.seq);
  }

  /** A block's directory (see BlockDirectory), read once and kept while the block is: a few bytes per 64 index entries. */
  private directory(block: BlockFile): BlockDirectory {
    let directory = this.directories.get(block.file);
    if (!directory) {
      directory = readBlockDirectory(block.file);
      this.noteDamage(block.file, directory.damaged);
      this.directories.set(block.file, directory);
    }
    return directory;
  }

  private noteDamage(file: string, damaged: number): void {
    if (damaged === 0) return;
    this.stats.damaged += damaged;
    this.log(`${path.basename(file)}: ${damaged} damaged frames skipped (the rest of the block is read)`);
  }

  /**
   * Points of `key` in [from, to] from disk and from the chunks not yet checkpointed: raw points
   * (`tier` raw), or 1-minute / 1-hour rollups with their min, max and count. Sorted by time;
   * a raw point written twice (a crash between sealing and cleaning up) is returned once.
   */
  read(key: string, from: number, to: number, tier: Tier): Series {
    const state = this.series.get(key);
    const out: Series = tier === 'raw' ? { t: [], v: [] } : { t: [], v: [], min: [], max: [], count: [] };
    if (!state) return out;
    const kinds: BlockKind[] = tier === 'raw' ? ['raw', 'l0'] : tier === 'm1' ? ['m1', 'l0'] : ['h1', 'm1', 'l0'];
    const chunks: Uint8Array[] = [];
    const partTier: Tier = tier === 'h1' ? 'm1' : tier;
    const blocks = this.blocks
      .filter((b) => kinds.includes(b.kind) && (b.kind === 'l0' ? b.hours!.some((h) => h + HOUR >= from && h <= to) : b.start + b.span >= from && b.start <= to))
      .sort((a, b) => (a.kind === 'l0' ? 1 : 0) - (b.kind === 'l0' ? 1 : 0) || a.start - b.start || a.seq - b.seq);
    for (const block of blocks) {
      const wanted: Tier = block.kind === 'h1' ? 'h1' : partTier;
      const directory = this.directory(block);
      const fd = fs.openSync(block.file, 'r');
      try {
        const entries = lookUp(directory, fd, state.id, wanted).filter((e) => e.hour + (wanted === 'h1' ? DAY : HOUR) >= from && e.hour <= to);
        for (const entry of entries) {
          const part = readPart(fd, entry);
          if (part) chunks.push(...part.chunks);
          else this.noteDamage(block.file, 1);
        }
      } finally {
        fs.closeSync(fd);
      }
    }
    // What a running checkpoint took and has not written, then what came since.
    const pending = (held: { parts: BlockPart[]; raw: Columns | null; m1: Columns | null }) => {
      for (const part of held.parts) if (part.tier === partTier) chunks.push(...part.chunks);
      const open = partTier === 'raw' ? held.raw : held.m1;
      if (open && open.length > 0) chunks.push(open.encode());
    };
    for (const t of this.inFlight) if (t.state === state) pending(t);
    pending(state);
    if (tier === 'raw') return readRaw(chunks, from, to, (n) => (this.stats.damaged += n));
    const rolled = readRollups(chunks, from, to, tier === 'h1' ? HOUR : MINUTE, (n) => (this.stats.damaged += n));
    // The open bucket: its points so far.
    if (state.bCount > 0 && state.bucket >= from && state.bucket <= to) {
      const bucket = tier === 'h1' ? state.bucket - mod(state.bucket, HOUR) : state.bucket;
      addRollup(rolled, bucket, state.bMin, state.bMax, state.bSum, state.bCount, state.bLast);
    }
    return rolled;
  }

  /**
   * Keys of the series whose newest point is at `from` or later (so they have data from then on),
   * on disk or not yet written there, the most recently written first, at most `limit` of those
   * `keep` keeps: what a page over a window longer than the hot tier lists, so a series that went
   * quiet before a restart is still shown. From memory only (newest.bin after a restart): no block
   * is read.
   */
  seriesWithin(from: number, limit: number, keep?: (key: string) => boolean): string[] {
    // The `limit` newest in a min-heap (oldest at the top): O(series × log limit) whatever the
    // order series come in (newer pods are both created and written last).
    const heap: Array<[t: number, key: string]> = [];
    const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    for (const state of this.series.values()) {
      const t = Math.max(state.lastT, state.listT);
      if (t < from || limit <= 0 || (heap.length >= limit && t <= heap[0]![0]) || (keep && !keep(state.key))) continue;
      if (heap.length < limit) {
        heap.push([t, state.key]);
        for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1]![0] > heap[i]![0]; i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      } else {
        heap[0] = [t, state.key];
        down(0);
      }
    }
    return heap.sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0)).map(([, key]) => key);
  }

  /** Oldest time held for any series (on disk, or written and not yet sealed), or undefined. */
  oldest(): number | undefined {
    return this.oldestOf(() => true);
  }

  /** Start of the oldest raw data on disk (a raw block or an l0 hour), or undefined. */
  oldestRaw(): number | undefined {
    return this.oldestOf((kind) => kind === 'raw');
  }

  /** Oldest of: points not yet sealed (in l0 blocks or memory), and sealed blocks of the kinds `sealed` takes. */
  private oldestOf(sealed: (kind: BlockKind) => boolean): number | undefined {
    let oldest = this.minTime;
    for (const b of this.blocks) {
      if (b.kind === 'l0') for (const h of b.hours!) oldest = Math.min(oldest, h);
      else if (sealed(b.kind)) oldest = Math.min(oldest, b.start);
    }
    return Number.isFinite(oldest) ? oldest : undefined;
  }

  /**
   * Visits the raw points of every series in [from, ∞) from disk, oldest block first (to refill
   * the hot tier at start). `expect` hears first, for every series, how many points at most are
   * coming (from the chunks' headers), so the caller can size its buffer once rather than grow it
   * chunk by chunk: at 10,000 series × 1 h that growth was a quarter of the start-up. The arrays
   * `visit` gets are valid during the call only (each chunk is decoded into the same buffer).
   */
  scanRecent(from: number, visit: (key: string, t: Float64Array, v: Float64Array) => void, expect?: (counts: Iterable<[string, number]>) => void): void {
    const blocks = this.blocks
      .filter((b) => (b.kind === 'l0' ? b.hours!.some((h) => h + HOUR > from) : b.kind === 'raw' && b.start + b.span > from))
      .sort((a, b) => (a.kind === 'l0' ? 1 : 0) - (b.kind === 'l0' ? 1 : 0) || a.start - b.start || a.seq - b.seq);
    // One buffer for the bytes of every block, in turn.
    const reader = new BlockFileReader();
    if (expect) {
      const counts = new Map<SeriesState, number>();
      for (const block of blocks) {
        countParts(reader.read(block.file), (id, tier, hour, points) => {
          const state = this.byId.get(id);
          if (state && tier === 'raw' && hour + HOUR > from) counts.set(state, (counts.get(state) ?? 0) + points);
        });
      }
      expect([...counts].map(([state, n]) => [state.key, n] as [string, number]));
    }
    // Every chunk is decoded into the same buffer, which `visit` copies out of, and each part is
    // decoded as it is reached and dropped after: nothing is kept per chunk or per part, so the
    // collector has little to do (holding every part of an hour of 10,000 series while decoding
    // them made each collection slow: a second of a 4 s start).
    let scratch = new ArrayBuffer(64 * 1024);
    for (const block of blocks) {
      const bytes = reader.read(block.file);
      let failed = 0;
      const onDamage = (n: number) => (failed += n);
      const damaged = forEachPart(bytes, (part) => {
        if (part.tier !== 'raw' || part.hour + HOUR <= from) return;
        const state = this.byId.get(part.id);
        if (!state) return;
        for (const chunk of part.chunks) {
          const size = chunkPoints(chunk) * 16;
          if (size > scratch.byteLength) scratch = new ArrayBuffer(size);
          const d = tryDecode(chunk, onDamage, scratch);
          if (!d) continue;
          const n = d.times.length;
          // The series' newest point on disk: later writes must come after it.
          if (n > 0 && d.times[n - 1]! >= state.lastT) {
            state.lastT = d.times[n - 1]!;
            state.lastV = d.values[0]![n - 1]!;
          }
          // It is in a block: what newest.bin may say.
          if (n > 0 && d.times[n - 1]! >= state.savedT) {
            state.savedT = d.times[n - 1]!;
            state.savedV = d.values[0]![n - 1]!;
          }
          visit(state.key, d.times, d.values[0]!);
        }
      });
      this.noteDamage(block.file, damaged + failed);
    }
  }

  status(): StorageStatus {
    const blocks = EMPTY_BYTES();
    for (const b of this.blocks) blocks[b.kind] += b.bytes;
    const wal = this.walBytes();
    return {
      state: this.failure ? 'degraded' : 'ok',
      reason: this.failure?.reason ?? null,
      since: this.failure?.since ?? this.okSince,
      dir: this.dir,
      bytes: { total: wal + Object.values(blocks).reduce((a, b) => a + b, 0), wal, blocks },
      blocks: this.blocks.length,
      written: { walBytes: this.wal.stats.bytes, walRecords: this.wal.stats.records, blockBytes: this.stats.blockBytes, samples: this.stats.samples, syncs: this.wal.stats.syncs },
      rawBytesPerSample: this.stats.rawBytes / this.stats.rawPoints,
      checkpoints: this.stats.checkpoints,
      seals: this.stats.seals,
      merges: this.stats.merges,
      mergeFailures: this.stats.mergeFailures,
      forgotten: this.stats.forgotten,
      damaged: this.stats.damaged,
      dropped: { outOfOrder: this.stats.outOfOrder, forSpace: this.stats.forSpace, unsaved: this.wal.stats.failedRecords },
    };
  }

  private fail(reason: string): void {
    if (!this.failure) this.log(`history is not being saved: ${reason}`);
    this.failure = { reason, since: this.failure?.since ?? this.now() };
  }

  private recover(): void {
    if (!this.failure) return;
    this.log('history is being saved again');
    this.failure = null;
    this.okSince = this.now();
  }

  /** Writes pulseboard.json; `clean` only as the last thing a clean shutdown does. */
  private writeMeta(clean: boolean): void {
    const file = path.join(this.dir, 'pulseboard.json');
    const body = { format: FORMAT, epoch: this.epoch, walMark: this.walMark, blockSeq: this.blockSeq, nextId: this.nextId, lastCursor: this.lastCursor, clean, metrics: [...this.metrics.values()] };
    writeFileDurably(file, JSON.stringify(body));
  }

  /** Cursor of the last message written, as recovered at start. */
  get cursor(): string | null {
    return this.lastCursor;
  }

  /** Checkpoints everything and closes the log: a restart replays nothing but finds it all. */
  async close(): Promise<void> {
    if (this.closed || !this.wal) return;
    clearInterval(this.timer);
    this.closing = true;
    // One may be running: then one more for what came during it.
    await this.checkpoint();
    await this.checkpoint();
    this.closed = true;
    await this.wal.close();
    try {
      this.writeMeta(true);
    } catch (err) {
      this.log(`could not record the clean stop: ${(err as Error).message}`);
    }
  }
}

/** What a block's file name says: `l0-<seq>-<mark>.blk`, `<kind>-<start>-<span>-<seq>.blk`. */
function parseBlockName(f: string): { kind: 'l0'; seq: number; mark: number } | { kind: 'raw' | 'm1' | 'h1'; start: number; span: number; seq: number } | undefined {
  if (!f.endsWith('.blk')) return undefined;
  const [kind, ...rest] = f.slice(0, -4).split('-');
  const n = rest.map(Number);
  if (!n.every((x) => Number.isSafeInteger(x))) return undefined;
  if (kind === 'l0' && n.length === 2) return { kind, seq: n[0]!, mark: n[1]! };
  if ((kind === 'raw' || kind === 'm1' || kind === 'h1') && n.length === 3) return { kind, start: n[0]!, span: n[1]!, seq: n[2]! };
  return undefined;
}

function blockSeqOf(f: string): number | undefined {
  return parseBlockName(f)?.seq;
}


/** Appends one frame to `file`, fsync'd. */
function appendFramed(file: string, payload: Buffer): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, frame(payload));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A part whose chunks are copies (not views into a file's bytes read for something else). */
/**
 * A pause for long work done in slices: resolved at once (undefined) until SLICE_MS have passed
 * since the last pause, then after one turn of the event loop, so ingest, streams and health
 * checks run between slices. Sealing an hour of 10,000 series in one go held the loop for 6 s.
 */
function slicer(): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < SLICE_MS) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}

function copyPart(part: BlockPart): BlockPart {
  return { ...part, chunks: part.chunks.map((c) => Uint8Array.from(c)) };
}

/** A chunk decoded, or undefined (counted by `damaged`) when it does not decode. */
function tryDecode(chunk: Uint8Array, damaged: (n: number) => void, scratch?: ArrayBuffer): DecodedChunk | undefined {
  try {
    return decodeChunk(chunk, scratch);
  } catch {
    damaged(1);
    return undefined;
  }
}

/** Whether two index entries are of the same series, tier and hour. */
function sameSlot(a: BlockEntry, b: BlockEntry): boolean {
  return compareEntries(a, b) === 0;
}

function mod(t: number, m: number): number {
  return ((t % m) + m) % m;
}

function mergeBucket(map: Map<number, number[]>, at: number, min: number, max: number, sum: number, count: number, last: number): void {
  const b = map.get(at);
  if (!b) map.set(at, [min, max, sum, count, last]);
  else {
    if (min < b[0]!) b[0] = min;
    if (max > b[1]!) b[1] = max;
    b[2]! += sum;
    b[3]! += count;
    b[4] = last;
  }
}

function readRaw(chunks: Uint8Array[], from: number, to: number, damaged: (n: number) => void): Series {
  const t: number[] = [];
  const v: number[] = [];
  let sorted = true;
  for (const chunk of chunks) {
    const d = tryDecode(chunk, damaged);
    if (!d) continue;
    const vs = d.values[0]!;
    for (let i = 0; i < d.times.length; i++) {
      const ti = d.times[i]!;
      if (ti < from || ti > to) continue;
      if (t.length > 0 && ti < t[t.length - 1]!) sorted = false;
      t.push(ti);
      v.push(vs[i]!);
    }
  }
  if (sorted && !hasRepeat(t, v)) return { t, v };
  const order = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  const out: Series = { t: [], v: [] };
  for (const i of order) {
    const n = out.t.length;
    if (n > 0 && out.t[n - 1] === t[i] && out.v[n - 1] === v[i]) continue;
    out.t.push(t[i]!);
    out.v.push(v[i]!);
  }
  return out;
}

function hasRepeat(t: number[], v: number[]): boolean {
  for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1] && v[i] === v[i - 1]) return true;
  return false;
}

function readRollups(chunks: Uint8Array[], from: number, to: number, size: number, damaged: (n: number) => void): Series {
  // Buckets in the chunks' order, in flat arrays (a month of minutes is 43,200 of them); merged
  // where the same bucket comes twice (a partial bucket of a checkpoint, rollups of minutes into hours).
  const at: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  const sum: number[] = [];
  const count: number[] = [];
  let sorted = true;
  for (const chunk of chunks) {
    const d = tryDecode(chunk, damaged);
    if (!d) continue;
    const [dMin, dMax, dSum, dCount] = d.values as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < d.times.length; i++) {
      const bucket = d.times[i]! - mod(d.times[i]!, size);
      if (bucket + size < from || bucket > to) continue;
      if (at.length > 0 && bucket < at[at.length - 1]!) sorted = false;
      at.push(bucket);
      min.push(dMin[i]!);
      max.push(dMax[i]!);
      sum.push(dSum[i]!);
      count.push(dCount[i]!);
    }
  }
  const out: Series = { t: [], v: [], min: [], max: [], count: [] };
  const order = sorted ? null : at.map((_, i) => i).sort((a, b) => at[a]! - at[b]! || a - b);
  let bucket = NaN;
  let bMin = 0;
  let bMax = 0;
  let bSum = 0;
  let bCount = 0;
  const flush = () => {
    if (bucket !== bucket) return;
    out.t.push(bucket);
    out.v.push(bSum / bCount);
    out.min!.push(bMin);
    out.max!.push(bMax);
    out.count!.push(bCount);
  };
  for (let k = 0; k < at.length; k++) {
    const i = order ? order[k]! : k;
    if (at[i] !== bucket) {
      flush();
      bucket = at[i]!;
      bMin = min[i]!;
      bMax = max[i]!;
      bSum = sum[i]!;
      bCount = count[i]!;
      continue;
    }
    if (min[i]! < bMin) bMin = min[i]!;
    if (max[i]! > bMax) bMax = max[i]!;
    bSum += sum[i]!;
    bCount += count[i]!;
  }
  flush();
  return out;
}

function pushRollup(out: Series, at: number, b: readonly number[]): void {
  out.t.push(at);
  out.v.push(b[2]! / b[3]!);
  out.min!.push(b[0]!);
  out.max!.push(b[1]!);
  out.count!.push(b[3]!);
}

/** Adds the open bucket's partial rollup to a read: merged into its bucket if the read has it. */
function addRollup(out: Series, at: number, min: number, max: number, sum: number, count: number, last: number): void {
  void last;
  const i = out.t.length - 1;
  if (i >= 0 && out.t[i] === at) {
    const n = out.count![i]!;
    out.v[i] = (out.v[i]! * n + sum) / (n + count);
    out.min![i] = Math.min(out.min![i]!, min);
    out.max![i] = Math.max(out.max![i]!, max);
    out.count![i] = n + count;
  } else pushRollup(out, at, [min, max, sum, count, last]);
}
