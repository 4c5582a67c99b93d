import fs from 'node:fs';
import path from 'node:path';
import { frame, scanFrames } from './frame';

/**
 * Most bytes one WAL record may hold when read back: a batch within INGEST_MAX_BODY_BYTES' largest
 * setting (1 GiB of body cannot carry more than this of keys and points) fits.
 */
export const WAL_MAX_RECORD = 2 * 1024 ** 3;
const SEGMENT_DIGITS = 10;

export interface WalOptions {
  dir: string;
  /** Most time an appended record waits for fsync; 0: every `synced()` waits for its own. */
  fsyncIntervalMs: number;
  /** A segment this large is closed and the next one started. */
  segmentBytes: number;
  /** Told of every write or sync failure (the caller reports the store degraded). */
  onError: (err: Error) => void;
  /** Told when writes work again after a failure. */
  onRecovered: () => void;
}

/** What reading the log found, for the start-up report and /api/metrics. */
export interface WalRecovery {
  records: Array<{ payload: Buffer; segment: number }>;
  segments: number;
  /** Damaged records skipped (bad CRC or length) before the last intact one of a segment. */
  damaged: number;
  /** Bytes cut from the end of the newest segment: a write torn by a crash. */
  tornBytes: number;
}

const segmentName = (seq: number) => `${String(seq).padStart(SEGMENT_DIGITS, '0')}.wal`;

/** Segment numbers in `dir`, oldest first. */
function segments(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.wal') && f.length === SEGMENT_DIGITS + 4)
    .map((f) => Number(f.slice(0, SEGMENT_DIGITS)))
    .filter(Number.isSafeInteger)
    .sort((a, b) => a - b);
}

/**
 * Reads the intact records of the log in `dir`, oldest first, and cuts a torn tail off the
 * newest segment so that appends continue after the last intact record. Segments numbered below
 * `checkpointed` (their points are in blocks already) are read newest first, each only while
 * `wantOlder` says the ones read so far are not enough (they serve streams resuming across a
 * restart, and only as much as the replay log holds): a start need not read minutes of log it
 * would throw away.
 */
export function recoverWal(dir: string, checkpointed = 0, wantOlder: (payloads: readonly Buffer[]) => boolean = () => true): WalRecovery {
  fs.mkdirSync(dir, { recursive: true });
  const seqs = segments(dir);
  const out: WalRecovery = { records: [], segments: seqs.length, damaged: 0, tornBytes: 0 };
  const read = (seq: number, newest: boolean): Buffer[] => {
    const file = path.join(dir, segmentName(seq));
    const bytes = fs.readFileSync(file);
    const scan = scanFrames(bytes, WAL_MAX_RECORD);
    out.damaged += scan.damaged;
    if (scan.tailBytes > 0) {
      if (newest) {
        out.tornBytes = scan.tailBytes;
        fs.truncateSync(file, scan.end);
      } else out.damaged++;
    }
    return scan.payloads;
  };
  const last = seqs.length - 1;
  const older: Array<{ seq: number; payloads: Buffer[] }> = [];
  for (let i = seqs.findLastIndex((seq) => seq < checkpointed); i >= 0; i--) {
    const payloads = read(seqs[i]!, i === last);
    older.push({ seq: seqs[i]!, payloads });
    if (!wantOlder(payloads)) break;
  }
  for (const { seq, payloads } of older.reverse()) for (const payload of payloads) out.records.push({ payload, segment: seq });
  seqs.forEach((seq, i) => {
    if (seq < checkpointed) return;
    for (const payload of read(seq, i === last)) out.records.push({ payload, segment: seq });
  });
  return out;
}

/**
 * The write-ahead log: every record is written to the file as it is appended (so a killed
 * process loses nothing the kernel holds), and fsync'd within `fsyncIntervalMs` (so a power
 * loss loses at most that). A full or unwritable disk does not throw at the caller: the record
 * is dropped from the log, `onError` is told, and appends are retried on the next record.
 */
export class Wal {
  private fd = -1;
  private seq: number;
  private size = 0;
  private dirty = false;
  private syncing: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private torn = false;
  private closed = false;
  /** Sizes of the segments on disk besides the one being written: disk use without a directory listing. */
  private readonly closedSizes = new Map<number, number>();
  /** Bytes and records written, and fsyncs done, since start. */
  readonly stats = { bytes: 0, records: 0, syncs: 0, failedRecords: 0 };

  constructor(private readonly options: WalOptions) {
    fs.mkdirSync(options.dir, { recursive: true });
    const seqs = segments(options.dir);
    this.seq = seqs.at(-1) ?? 1;
    for (const s of seqs) if (s !== this.seq) this.closedSizes.set(s, fs.statSync(path.join(options.dir, segmentName(s))).size);
    this.open();
    if (options.fsyncIntervalMs > 0) {
      this.timer = setInterval(() => void this.sync(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Whether the last append failed (the log is not being written). */
  get failing(): boolean {
    return this.failed;
  }

  /** Bytes the log's segments take on disk. */
  get diskBytes(): number {
    let n = this.size;
    for (const size of this.closedSizes.values()) n += size;
    return n;
  }

  /** Number of the segment being written. */
  get segment(): number {
    return this.seq;
  }

  private open(): void {
    const file = path.join(this.options.dir, segmentName(this.seq));
    this.fd = fs.openSync(file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends one record. */
  append(payload: Uint8Array): void {
    if (this.closed) return;
    const bytes = frame(payload);
    try {
      if (this.fd < 0) {
        // After a failed write the segment may end in a torn frame: go on in a new one.
        if (this.torn) this.closedSizes.set(this.seq++, this.size);
        this.torn = false;
        this.open();
      }
      fs.writeSync(this.fd, bytes);
      this.size += bytes.length;
      this.stats.bytes += bytes.length;
      this.stats.records++;
      this.dirty = true;
      if (this.failed) {
        this.failed = false;
        this.options.onRecovered();
      }
      if (this.size >= this.options.segmentBytes) this.roll();
    } catch (err) {
      this.stats.failedRecords++;
      this.fail(err as Error);
      this.torn = true;
      this.closeFd();
    }
  }

  /**
   * Starts a new segment and returns its number: every record appended before this call is in a
   * segment below it (a checkpoint that holds them may then `dropBefore` the number).
   */
  roll(): number {
    // An empty segment serves as the next one: no file per idle checkpoint.
    if (this.fd >= 0 && this.size === 0) return this.seq;
    this.closeFd();
    this.closedSizes.set(this.seq, this.size);
    this.seq++;
    try {
      this.open();
    } catch (err) {
      this.fail(err as Error);
    }
    return this.seq;
  }

  /** Deletes segments numbered below `seq` (their records are held elsewhere). */
  dropBefore(seq: number): void {
    for (const s of segments(this.options.dir)) {
      if (s >= seq) break;
      try {
        fs.rmSync(path.join(this.options.dir, segmentName(s)), { force: true });
        this.closedSizes.delete(s);
      } catch (err) {
        this.fail(err as Error);
      }
    }
  }

  /** Resolves once everything appended so far is fsync'd (or the sync failed: see onError). */
  synced(): Promise<void> {
    if (!this.dirty && !this.syncing) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.options.fsyncIntervalMs === 0) setImmediate(() => void this.sync());
    });
  }

  /** Fsyncs what was written; one at a time, waiters of a later append wait for the next one. */
  sync(): Promise<void> {
    if (this.syncing) return this.syncing.then(() => this.sync());
    if (!this.dirty || this.fd < 0) {
      this.release(this.waiters.splice(0));
      return Promise.resolve();
    }
    this.dirty = false;
    const waiting = this.waiters.splice(0);
    const fd = this.fd;
    this.syncing = new Promise<void>((resolve) => {
      fs.fdatasync(fd, (err) => {
        // A segment closed meanwhile was fsync'd as it closed: its descriptor is gone, not its data.
        if (err && fd === this.fd) this.fail(err);
        else if (!err) this.stats.syncs++;
        this.syncing = null;
        this.release(waiting);
        resolve();
      });
    });
    return this.syncing;
  }

  private release(waiting: Array<() => void>): void {
    for (const resolve of waiting) resolve();
  }

  private fail(err: Error): void {
    this.failed = true;
    this.options.onError(err);
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // Reported by the write that failed.
    }
    try {
      fs.closeSync(this.fd);
    } catch {
      // Nothing more to lose.
    }
    this.fd = -1;
  }

  /** Fsyncs and closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.sync();
    this.closed = true;
    this.closeFd();
  }
}
