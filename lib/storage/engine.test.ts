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
