import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, StorageError, type EngineOptions } from './engine';

const HOUR = 3_600_000;
const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-engine-'));
  dirs.push(dir);
  return dir;
}

function engine(dir: string, clock: { now: number }, options: Partial<EngineOptions> = {}): Engine {
  const e = new Engine({
    dir,
    fsyncIntervalMs: 1_000,
    retentionRawMs: 2 * 86_400_000,
    retention1mMs: 30 * 86_400_000,
    retention1hMs: 365 * 86_400_000,
    maxBytes: 1024 ** 3,
    keepLogMs: 300_000,
    checkpointMs: 3_600_000,
    now: () => clock.now,
    log: () => undefined,
    ...options,
  });
  engines.push(e);
  return e;
}

/** Points of `key` every second over [from, from + seconds). */
function seconds(key: string, from: number, count: number, value: (i: number) => number = (i) => i) {
  return Array.from({ length: count }, (_, i) => ({ series: key, t: from + i * 1_000, v: value(i) }));
}

const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);
const mod = (t: number, m: number) => ((t % m) + m) % m;

function newestSegment(dir: string): string {
  const walDir = path.join(dir, 'wal');
  const withData = fs.readdirSync(walDir).filter((f) => fs.statSync(path.join(walDir, f)).size > 0);
  return path.join(walDir, withData.sort().at(-1)!);
}

describe('Engine', () => {
  it('gives back every point, its cursor and its metadata after a clean close and reopen', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    expect(a.open()).toEqual([]);
    a.write('e-1', false, [{ name: 'jobs_total', unit: 'none', type: 'counter', help: 'Jobs done.' }], seconds('jobs_total', T0, 300));
    a.write('e-2', true, undefined, seconds('cpu{instance="a"}', T0, 300, (i) => i / 7));
    await a.close();

    const b = engine(dir, clock);
    const recovered = b.open();
    expect(recovered.every((r) => r.checkpointed)).toBe(true);
    expect(b.epoch).toBe(a.epoch);
    expect(b.cursor).toBe('e-2');
    expect(b.storedMetrics()).toEqual([{ name: 'jobs_total', unit: 'none', type: 'counter', help: 'Jobs done.' }]);
    const raw = b.read('cpu{instance="a"}', T0, T0 + HOUR, 'raw');
    expect(raw.t).toHaveLength(300);
    expect(raw.v[299]).toBe(299 / 7);
    const seen = new Map<string, number>();
    b.scanRecent(T0 - HOUR, (key, t) => seen.set(key, (seen.get(key) ?? 0) + t.length));
    expect(Object.fromEntries(seen)).toEqual({ jobs_total: 300, 'cpu{instance="a"}': 300 });
  });

  it('replays what a killed process logged but never checkpointed, exactly once', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, seconds('m', T0, 100));
    await a.checkpoint();
    a.write('e-2', false, undefined, seconds('m', T0 + 100_000, 50, (i) => 100 + i));
    // No close: as after kill -9.

    const b = engine(dir, clock);
    const recovered = b.open();
    const fresh = recovered.filter((r) => !r.checkpointed);
    expect(fresh.map((r) => r.cursor)).toEqual(['e-2']);
    for (const r of fresh) b.replay(r);
    const raw = b.read('m', T0, T0 + HOUR, 'raw');
    expect(raw.t).toHaveLength(150);
    expect(new Set(raw.t).size).toBe(150);
    expect(raw.v.at(-1)).toBe(149);
  });

  it('cuts a torn log tail, and says so', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const lines: string[] = [];
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, seconds('m', T0, 10));
    a.write('e-2', false, undefined, seconds('m', T0 + 10_000, 10, (i) => 10 + i));
    const segment = newestSegment(dir);
    const bytes = fs.readFileSync(segment);
    fs.writeFileSync(segment, bytes.subarray(0, bytes.length - 7));

    const b = engine(dir, clock, { log: (l) => lines.push(l) });
    expect(b.open().map((r) => r.cursor)).toEqual(['e-1']);
    expect(lines.join('\n')).toMatch(/cut a torn tail of \d+ bytes/);
    // Appends continue after the cut: a third start reads both runs.
    b.write('e-3', false, undefined, seconds('m', T0 + 20_000, 10, (i) => 20 + i));
    const c = engine(dir, clock);
    expect(c.open().map((r) => r.cursor)).toEqual(['e-1', 'e-3']);
  });

  it('skips a damaged log record, counts it, and reads the ones after it', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    a.open();
    for (let i = 1; i <= 3; i++) a.write(`e-${i}`, false, undefined, seconds('m', T0 + i * 10_000, 10));
    const segment = newestSegment(dir);
    const bytes = fs.readFileSync(segment);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    fs.writeFileSync(segment, bytes);

    const b = engine(dir, clock);
    expect(b.open().map((r) => r.cursor)).toEqual(['e-1', 'e-3']);
    expect(b.status().damaged).toBe(1);
  });

  it('seals finished hours into raw and 1-minute blocks, keeping each minute’s min and max', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const e = engine(dir, clock);
    e.open();
    // Three hours, with a one-second spike to 1000 in the second.
    e.write('e-1', false, undefined, seconds('g', T0, 3 * 3600, (i) => (i === 5_000 ? 1_000 : i % 10)));
    clock.now = T0 + 3 * HOUR + 10 * 60_000;
    await e.checkpoint();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.blk'));
    expect(files.filter((f) => f.startsWith('raw-'))).toHaveLength(3);
    expect(files.filter((f) => f.startsWith('m1-'))).toHaveLength(3);
    const m1 = e.read('g', T0, T0 + 3 * HOUR, 'm1');
    expect(m1.t).toHaveLength(180);
    expect(Math.max(...m1.max!)).toBe(1_000);
    expect(m1.count!.reduce((a, b) => a + b, 0)).toBe(3 * 3600);
    expect(e.read('g', T0, T0 + 3 * HOUR, 'raw').t).toHaveLength(3 * 3600);
  });

  it('lists the series with data since a time, newest first, written or not, and across a restart from newest.bin alone', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 6 * HOUR };
    const e = engine(dir, clock);
    e.open();
    e.write('e-1', false, undefined, [...seconds('early', T0, 600), ...seconds('middle', T0 + 2 * HOUR, 600), ...seconds('late{pod="a"}', T0 + 5 * HOUR, 600)]);
    // Not yet checkpointed: from what each series holds in memory.
    expect(e.seriesWithin(T0 + HOUR, 100)).toEqual(['late{pod="a"}', 'middle']);
    await e.close();

    // The log let go: what the series' newest points are is in newest.bin only.
    clock.now += HOUR;
    const again = engine(dir, clock, { keepLogMs: 0 });
    again.open();
    expect(again.seriesWithin(T0 + HOUR, 100)).toEqual(['late{pod="a"}', 'middle']);
    expect(again.seriesWithin(T0, 100)).toEqual(['late{pod="a"}', 'middle', 'early']);
    expect(again.seriesWithin(T0, 2)).toEqual(['late{pod="a"}', 'middle']);
    expect(again.seriesWithin(T0, 100, (key) => key.startsWith('early'))).toEqual(['early']);
    expect(again.seriesWithin(T0 + 5 * HOUR, 100)).toEqual(['late{pod="a"}']);
    expect(again.seriesWithin(T0 + 5.5 * HOUR, 100)).toEqual([]);
    // A point resent for the quiet series is known to be stored already.
    expect(again.newest('early')).toBe(T0 + 599_000);
    await again.close();

    // A damaged newest.bin is counted, and which series hold data when is rebuilt from the blocks' indexes (to the hour).
    const file = path.join(dir, 'newest.bin');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const third = engine(dir, clock, { keepLogMs: 0 });
    third.open();
    expect(third.status().damaged).toBeGreaterThan(0);
    expect(third.seriesWithin(T0 + 5 * HOUR, 100)).toEqual(['late{pod="a"}']);
    expect(third.seriesWithin(T0, 100)).toEqual(['late{pod="a"}', 'middle', 'early']);
    // Listing only: the exact newest point is not guessed (writes are not refused on an hour's bound).
    expect(third.newest('early')).toBeUndefined();
    await third.close();
    // Missing altogether (a directory from before it): the same, and whole again after a checkpoint.
    fs.rmSync(file);
    const fourth = engine(dir, clock, { keepLogMs: 0 });
    fourth.open();
    expect(fourth.seriesWithin(T0, 100)).toEqual(['late{pod="a"}', 'middle', 'early']);
    await fourth.checkpoint();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('a newest.bin that cannot be written degrades the store but does not write the checkpoint twice', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 10 * 60_000 };
    const e = engine(dir, clock);
    e.open();
    e.write('e-1', false, undefined, seconds('once', T0, 120));
    fs.mkdirSync(path.join(dir, 'newest.bin.tmp'));
    await e.checkpoint();
    expect(e.status().state).toBe('degraded');
    fs.rmSync(path.join(dir, 'newest.bin.tmp'), { recursive: true });
    await e.checkpoint();
    const m1 = e.read('once', T0, T0 + 2 * 60_000, 'm1');
    expect(m1.count!.reduce((a, b) => a + b, 0)).toBe(120);
    expect(fs.existsSync(path.join(dir, 'newest.bin'))).toBe(true);
  });

  it('drops raw data past RETENTION_RAW, rolls 1-minute data past RETENTION_1M into hours, and keeps the spike', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const e = engine(dir, clock, { retentionRawMs: HOUR, retention1mMs: 2 * HOUR });
    e.open();
    e.write('e-1', false, undefined, seconds('g', T0, 3 * 3600, (i) => (i === 100 ? -50 : 1)));
    clock.now = T0 + 3 * HOUR + 10 * 60_000;
    await e.checkpoint();
    clock.now = T0 + 30 * HOUR;
    await e.checkpoint();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.blk'));
    expect(files.filter((f) => f.startsWith('raw-'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('m1-'))).toEqual([]);
    const h1 = e.read('g', T0 - HOUR, T0 + 4 * HOUR, 'h1');
    expect(h1.t).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
    expect(h1.min![0]).toBe(-50);
    expect(h1.count).toEqual([3600, 3600, 3600]);
  });

  it('over DATA_MAX_BYTES deletes the oldest raw blocks first and counts them', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const e = engine(dir, clock, { maxBytes: 1024 ** 2 });
    e.open();
    for (let s = 0; s < 20; s++) e.write(`e-${s}`, false, undefined, seconds(`g{i="${s}"}`, T0, 4 * 3600, (i) => Math.sin(i / 100) * 1e6 + Math.random()));
    clock.now = T0 + 4 * HOUR + 10 * 60_000;
    await e.checkpoint();
    const status = e.status();
    expect(status.bytes.total).toBeLessThanOrEqual(1024 ** 2);
    expect(status.dropped.forSpace).toBeGreaterThan(0);
    // The newest hour is what is left.
    const left = e.read('g{i="0"}', T0, T0 + 4 * HOUR, 'raw').t;
    if (left.length > 0) expect(left[0]).toBeGreaterThanOrEqual(T0 + HOUR);
  });

  it('reads past a bit flipped in a block: that chunk is skipped and counted, the others read', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, [...seconds('a', T0, 100), ...seconds('b', T0, 100)]);
    await a.checkpoint();
    const block = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('l0-'))!);
    const bytes = fs.readFileSync(block);
    bytes[40]! ^= 0x01;
    fs.writeFileSync(block, bytes);

    const b = engine(dir, clock);
    b.open();
    const got = ['a', 'b'].map((k) => b.read(k, T0, T0 + HOUR, 'raw').t.length).sort();
    expect(got).toEqual([0, 100]);
    expect(b.status().damaged).toBeGreaterThanOrEqual(1);
  });

  it('refuses a data directory of another format with a message that says what to do', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'pulseboard.json'), JSON.stringify({ format: 99 }));
    expect(() => engine(dir, { now: T0 }).open()).toThrow(StorageError);
    expect(() => engine(dir, { now: T0 }).open()).toThrow(/format 99.*move DATA_DIR away/);
  });
});

describe('Engine with hostile keys', () => {
  it('gives back keys with lone surrogates, quotes, newlines and 4,000 characters exactly, from the log and from blocks', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const keys = ['m{v="\uD800"}', 'm{v="\uDFFF\uD83D\uDE00"}', 'm{v="a\\"b\\\\c\\nd"}', `m{v="${'é'.repeat(4_000)}"}`];
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, keys.map((k, i) => ({ series: k, t: T0, v: i })));
    await a.checkpoint();
    a.write('e-2', false, undefined, keys.map((k, i) => ({ series: k, t: T0 + 1_000, v: 10 + i })));
    const b = engine(dir, clock);
    const fresh = b.open().filter((r) => !r.checkpointed);
    expect(fresh.flatMap((r) => r.samples.map((s) => s.series))).toEqual(keys);
    for (const r of fresh) b.replay(r);
    for (const [i, k] of keys.entries()) expect(b.read(k, T0, T0 + HOUR, 'raw').v).toEqual([i, 10 + i]);
  });
});

describe('Engine across crashes (the review’s cases)', () => {
  it('a series known only from the log of a killed run keeps its id and its points after the log is gone', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, seconds('secret{user="alice"}', T0, 60));
    // Killed before a checkpoint: the series is in the log only.
    const b = engine(dir, clock, { keepLogMs: 0 });
    for (const r of b.open()) if (!r.checkpointed) b.replay(r);
    await b.close();
    const c = engine(dir, clock);
    c.open();
    c.write('e-2', false, undefined, seconds('other', T0, 3));
    expect(c.read('secret{user="alice"}', T0, T0 + HOUR, 'raw').t).toHaveLength(60);
    expect(c.read('other', T0, T0 + HOUR, 'raw').t).toHaveLength(3);
  });

  it('reads at start only the checkpointed log the replay budget needs, newest first, and still gives back every point', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 3_600_000 };
    const a = engine(dir, clock);
    a.open();
    // Eleven checkpointed segments of 100 points each (the close checkpoints the last).
    for (let i = 0; i < 11; i++) {
      a.write(`e-${i + 1}`, false, undefined, seconds('load', T0 + i * 100_000, 100));
      if (i < 10) await a.checkpoint();
    }
    await a.close();
    // Room in the replay log for about two records of 100 points ('load' + 40 bytes a point).
    const b = engine(dir, clock, { replayMaxBytes: 2 * 100 * 44 + 10 });
    const read: string[] = [];
    const real = fs.readFileSync;
    const spy = (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (typeof file === 'string' && file.endsWith('.wal')) read.push(path.basename(file));
      return (real as (...a: unknown[]) => unknown)(file, ...rest);
    };
    (fs as { readFileSync: unknown }).readFileSync = spy;
    let recovered;
    try {
      recovered = b.open();
    } finally {
      (fs as { readFileSync: unknown }).readFileSync = real;
    }
    // The two newest records, in order, for streams resuming across the restart.
    expect(recovered.map((r) => r.cursor)).toEqual(['e-10', 'e-11']);
    expect(recovered.map((r) => r.checkpointed)).toEqual([true, true]);
    // The older segments were not read at all (one more than the budget needs is read to know it is spent).
    expect(read.length).toBeLessThanOrEqual(5);
    expect(read.length).toBeGreaterThanOrEqual(3);
    // Everything is still there: blocks hold what the log no longer gives back.
    const all = b.read('load', T0, T0 + 2_000_000, 'raw');
    expect(all.t.length).toBe(1_100);
    expect(b.cursor).toBe('e-11');
  });

  it('keeps the newest cursor across restarts even once the log is gone, and says whether the last stop was clean', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock, { keepLogMs: 0 });
    a.open();
    a.write('E-5000', false, undefined, seconds('m', T0, 5));
    await a.checkpoint();
    await a.close();
    const b = engine(dir, clock);
    b.open();
    expect(b.cursor).toBe('E-5000');
    expect(b.cleanStop).toBe(true);
    b.write('E-5001', false, undefined, seconds('m', T0 + 10_000, 5));
    // b is not closed: as after kill -9.
    const c = engine(dir, clock);
    c.open();
    expect(c.cursor).toBe('E-5001');
    expect(c.cleanStop).toBe(false);
  });

  it('a read while a checkpoint runs sees what it took', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const e = engine(dir, clock);
    e.open();
    for (let s = 0; s < 3_000; s++) e.write(`e-${s}`, false, undefined, seconds(`s${s}`, T0, 20));
    const running = e.checkpoint();
    const during = await new Promise<number>((resolve) => setImmediate(() => resolve(e.read('s2999', T0, T0 + HOUR, 'raw').t.length)));
    await running;
    expect(during).toBe(20);
    expect(e.read('s2999', T0, T0 + HOUR, 'raw').t).toHaveLength(20);
  });

  it('points of equal times are not doubled when a checkpoint’s meta was lost (the block’s name says what log it covers)', async () => {
    const dir = tempDir();
    const clock = { now: T0 + 600_000 };
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, [{ series: 'm', t: T0, v: 1 }, { series: 'm', t: T0, v: 2 }]);
    const metaBefore = fs.readFileSync(path.join(dir, 'pulseboard.json'), 'utf8');
    await a.checkpoint();
    // As if killed between the block's rename and the meta's write.
    fs.writeFileSync(path.join(dir, 'pulseboard.json'), metaBefore);
    const b = engine(dir, clock);
    const fresh = b.open().filter((r) => !r.checkpointed);
    b.scanRecent(T0 - HOUR, () => undefined);
    for (const r of fresh) b.replay(r);
    expect(b.read('m', T0, T0 + HOUR, 'raw')).toEqual({ t: [T0, T0], v: [1, 2] });
  });

  it('a compaction cut short before it committed is undone on start, one that committed is finished: rollups are never counted twice', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const a = engine(dir, clock);
    a.open();
    a.write('e-1', false, undefined, seconds('g', T0, 600));
    await a.checkpoint();
    const l0 = fs.readdirSync(dir).filter((f) => f.startsWith('l0-'));
    const saved = l0.map((f) => [f, fs.readFileSync(path.join(dir, f))] as const);
    clock.now = T0 + 2 * HOUR;
    await a.checkpoint();
    // Killed after sealing wrote its blocks, before the l0 ones went: put them back, with a journal that did not commit.
    for (const [f, bytes] of saved) fs.writeFileSync(path.join(dir, f), bytes);
    const sealed = fs.readdirSync(dir).filter((f) => f.startsWith('raw-') || f.startsWith('m1-'));
    const fromSeq = Math.min(...sealed.map((f) => Number(f.slice(0, -4).split('-').at(-1))));
    fs.writeFileSync(path.join(dir, 'compaction.json'), JSON.stringify({ inputs: l0, outputs: [], committed: false, fromSeq }));
    const b = engine(dir, clock);
    b.open();
    await b.checkpoint();
    const m1 = b.read('g', T0, T0 + HOUR, 'm1');
    expect(m1.count).toEqual(Array.from({ length: 10 }, () => 60));
    expect(b.read('g', T0, T0 + HOUR, 'raw').t).toHaveLength(600);
  });

  it('merges a live server’s hour blocks of 1-minute rollups into a day’s, and its day blocks of 1-hour rollups into a 7-day period’s, losing nothing, never merging a merged block again', async () => {
    const DAY = 86_400_000;
    const dir = tempDir();
    const clock = { now: T0 };
    const e = engine(dir, clock, { retention1mMs: 2 * DAY });
    e.open();
    // 42 days of a point a minute, written and checkpointed as a live server would (every 12 h
    // here), with one spike; every hour is sealed into its own block as it ends.
    const spikeAt = T0 + 20 * DAY + 777 * 60_000;
    let written = 0;
    for (let half = 0; half < 84; half++) {
      const from = T0 + half * 12 * HOUR;
      const points = Array.from({ length: 720 }, (_, i) => ({ series: 'g', t: from + i * 60_000, v: from + i * 60_000 === spikeAt ? 1e6 : 1 }));
      e.write(`e-${half}`, false, undefined, points);
      written += points.length;
      clock.now = from + 12 * HOUR;
      await e.checkpoint();
    }
    const now = clock.now;
    const blocks = fs.readdirSync(dir).filter((f) => f.endsWith('.blk')).map((f) => f.slice(0, -4).split('-'));
    const m1 = blocks.filter((b) => b[0] === 'm1').map((b) => ({ start: Number(b[1]), span: Number(b[2]) }));
    // Days over a day and an hour ago: one block each.
    const oldDays = m1.filter((b) => b.start + b.span <= now - DAY - 2 * HOUR);
    expect(oldDays.length).toBeGreaterThan(0);
    expect(oldDays.every((b) => b.span === DAY && b.start % DAY === 0)).toBe(true);
    const h1 = blocks.filter((b) => b[0] === 'h1').map((b) => ({ start: Number(b[1]), span: Number(b[2]) }));
    // 7-day periods wholly rolled up: one block each, spanning the period (so never merged again).
    const period = 7 * DAY;
    const whole = h1.filter((b) => Math.floor(b.start / period + 1) * period <= now - 2 * DAY - HOUR);
    const periods = new Set(whole.map((b) => Math.floor(b.start / period)));
    expect(periods.size).toBeGreaterThanOrEqual(5);
    expect(whole).toHaveLength(periods.size);
    expect(whole.every((b) => b.span === period && b.start % period === 0)).toBe(true);
    expect(h1.length).toBeLessThan(periods.size + 5);
    expect(e.status().merges).toBeGreaterThan(30);
    expect(e.status().mergeFailures).toBe(0);
    // Nothing left to merge: more checkpoints merge nothing.
    const merges = e.status().merges;
    for (let i = 1; i <= 3; i++) {
      clock.now = now + i * 60_000;
      await e.checkpoint();
    }
    expect(e.status().merges).toBe(merges);
    // Late points for a merged day (a series that was not sending): a block of their own; the day's block is not rewritten.
    const late = now - mod(now, DAY) - DAY + 30_000;
    const dayBlocks = () => fs.readdirSync(dir).filter((f) => f.startsWith(`m1-${late - mod(late, DAY)}-`));
    const before = dayBlocks();
    expect(before).toHaveLength(1);
    e.write('e-late', false, undefined, [{ series: 'late', t: late, v: 5 }]);
    clock.now = now + 5 * 60_000;
    await e.checkpoint();
    await e.checkpoint();
    expect(dayBlocks()).toEqual(expect.arrayContaining(before));
    expect(dayBlocks()).toHaveLength(2);
    expect(e.status().merges).toBe(merges);
    expect(e.read('late', late - DAY, late + DAY, 'm1').count).toEqual([1]);
    clock.now = now;

    const check = (x: Engine) => {
      const all = x.read('g', T0 - DAY, now, 'h1');
      expect(all.count!.reduce((a, b) => a + b, 0)).toBe(written);
      expect(Math.max(...all.max!)).toBe(1e6);
      // Yesterday, merged into a day block and still within RETENTION_1M.
      const day = now - mod(now, DAY) - DAY;
      const minutes = x.read('g', day, day + DAY - 1, 'm1');
      const within = minutes.t.flatMap((t, i) => (t >= day && t < day + DAY ? [minutes.count![i]] : []));
      expect(within).toEqual(Array.from({ length: 1_440 }, () => 1));
    };
    check(e);
    await e.close();
    const again = engine(dir, clock, { retention1mMs: 2 * DAY });
    again.open();
    check(again);
  });

  it('forgets the series whose data retention deleted, in series.log and in memory, and never gives their ids again', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const options = { retentionRawMs: HOUR, retention1mMs: 2 * HOUR, retention1hMs: 3 * 86_400_000 };
    const e = engine(dir, clock, options);
    e.open();
    // 1,500 pods that lived an hour, then one series that goes on.
    const pods = Array.from({ length: 1_500 }, (_, p) => `pod_up{pod="web-${p}-${'x'.repeat(40)}"}`);
    e.write('e-1', false, undefined, pods.flatMap((key) => seconds(key, T0, 60).filter((_, i) => i % 10 === 0)));
    e.write('e-2', false, undefined, seconds('lives_on', T0, 60));
    clock.now = T0 + 2 * HOUR;
    await e.checkpoint();
    const logBefore = fs.statSync(path.join(dir, 'series.log')).size;
    expect(e.size).toBe(1_501);
    // Four days on: the pods' h1 day is past RETENTION_1H; the other series keeps writing.
    for (let day = 1; day <= 5; day++) {
      clock.now = T0 + day * 86_400_000;
      e.write(`e-${2 + day}`, false, undefined, seconds('lives_on', clock.now - 600_000, 60));
      await e.checkpoint();
    }
    expect(e.status().forgotten).toBe(1_500);
    expect(e.size).toBe(1);
    expect(e.has(pods[0]!)).toBe(false);
    expect(fs.statSync(path.join(dir, 'series.log')).size).toBeLessThan(logBefore / 100);
    // A pod name seen again is a new series, with an id none had.
    e.write('e-9', false, undefined, seconds(pods[7]!, clock.now - 60_000, 30));
    await e.close();

    const again = engine(dir, clock, options);
    again.open();
    expect(again.size).toBe(2);
    expect(again.read(pods[7]!, clock.now - HOUR, clock.now, 'raw').t).toHaveLength(30);
    const lives = again.read('lives_on', clock.now - HOUR, clock.now, 'raw');
    expect(lives.t).toHaveLength(60);
    expect(lives.v[59]).toBe(59);
  });

  it('a year of hourly points backfilled in one write makes an hour’s block for each hour of the last day and a day’s before, not one per hour of the year', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const e = engine(dir, clock);
    e.open();
    const points = Array.from({ length: 8_000 }, (_, i) => ({ series: 'old', t: T0 - (8_000 - i) * HOUR, v: i }));
    e.write('e-1', false, undefined, points);
    const started = performance.now();
    await e.checkpoint();
    const took = performance.now() - started;
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.blk'));
    // Raw: 24 hours + 2 days; m1: 24 hours + 30 days; h1: one block for the rest.
    expect(files.length).toBeLessThan(100);
    expect(took).toBeLessThan(5_000);
    const year = e.read('old', T0 - 365 * 86_400_000, T0, 'h1');
    expect(year.count!.reduce((a, b) => a + b, 0)).toBe(8_000);
  });
});
