import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from '@playwright/test';
import { fillUp, test, withSmallDisk } from '../support/disk';
import { postPoints } from '../support/ingest';
import { startRedis } from '../support/redis';
import { startServer, type RunningServer } from '../support/server';
import { readEvents } from '../support/sse';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface History {
  tier: string;
  points: Array<[number, number]>;
}

async function history(server: RunningServer, key: string, query: string): Promise<History> {
  const res = await fetch(`${server.url}/api/series/${encodeURIComponent(key)}?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as History;
}

async function storageHealth(server: RunningServer): Promise<{ status: string; storage: { state: string; reason?: string; damaged: number; bytes: number } }> {
  return (await (await fetch(`${server.url}/api/health`)).json()) as never;
}

test('ingest, SIGTERM, restart: every point back with its value, and the cursors go on where they were', async ({ dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'durable' };
  const first = await startServer({ env });
  const now = Date.now();
  const points = Array.from({ length: 500 }, (_, i) => ({ name: 'orders_total', labels: { shop: String(i % 5) }, value: i * 1.5, timestamp: now - 600_000 + i * 1_000 }));
  let cursor = '';
  try {
    expect((await postPoints(first.url, points.slice(0, 250))).status).toBe(202);
    // A stream's position between the two writes: it must resume after the restart.
    const live = await readEvents(`${first.url}/api/stream?series=orders_total*`, { until: (r) => r.events.some((e) => e.event === 'live') });
    cursor = JSON.parse(live.events.find((e) => e.event === 'live')!.data).cursor as string;
    expect((await postPoints(first.url, points.slice(250))).status).toBe(202);
    expect((await first.stop('SIGTERM')).code).toBe(0);
  } finally {
    await first.stop('SIGKILL');
  }

  const second = await startServer({ env });
  try {
    for (let shop = 0; shop < 5; shop++) {
      const key = `orders_total{shop="${shop}"}`;
      const want = points.filter((p) => p.labels.shop === String(shop)).map((p) => [p.timestamp, p.value]);
      expect((await history(second, key, 'window=15m&points=10000')).points).toEqual(want);
    }
    // Resuming from before the restart: the second write's points, each once, and no reset.
    const resumed = await readEvents(`${second.url}/api/stream?series=orders_total*`, {
      headers: { 'Last-Event-ID': cursor },
      until: (r) => r.events.some((e) => e.event === 'live'),
    });
    expect(resumed.events.map((e) => e.event)).not.toContain('reset');
    const got = resumed.events.filter((e) => e.event === 'points').flatMap((e) => (JSON.parse(e.data) as { points: Array<{ v: number }> }).points.map((p) => p.v));
    expect(got.sort((a, b) => a - b)).toEqual(points.slice(250).map((p) => p.value));
    // The cursor goes on from the first run's: same epoch, a higher sequence.
    const after = JSON.parse(resumed.events.find((e) => e.event === 'live')!.data).cursor as string;
    expect(after.split('-')[0]).toBe(cursor.split('-')[0]);
    expect(Number(after.split('-')[1])).toBeGreaterThan(Number(cursor.split('-')[1]));
    expect(second.output()).toMatch(/storage: .*series back/);
  } finally {
    await second.stop('SIGKILL');
  }
});

test('kill -9 while writing: every point acknowledged more than FSYNC_INTERVAL before is back, exactly once, nothing invented', async ({ dataDir }) => {
  // Rings large enough for everything sent (HISTORY_MAX_POINTS would otherwise keep the newest 7,200 in memory).
  const env = { DATA_DIR: dataDir, INSTANCE: 'crash', FSYNC_INTERVAL: '1s', HISTORY_MAX_POINTS: '100000' };
  const first = await startServer({ env });
  const acked: Array<{ t: number; v: number; at: number }> = [];
  const sent = new Map<number, number>();
  let killedAt = 0;
  try {
    const base = Date.now() - 120_000;
    let i = 0;
    const writer = (async () => {
      // Bounded: at most 2,000 requests or until the kill.
      while (i < 2_000 && killedAt === 0) {
        const batch = Array.from({ length: 10 }, (_, j) => ({ t: base + (i * 10 + j) * 5, v: i * 10 + j }));
        i++;
        for (const p of batch) sent.set(p.t, p.v);
        const res = await postPoints(first.url, batch.map((p) => ({ name: 'crash_probe', value: p.v, timestamp: p.t }))).catch(() => ({ status: 0 }));
        if (res.status === 202) for (const p of batch) acked.push({ ...p, at: Date.now() });
      }
    })();
    await expect.poll(() => acked.length, { timeout: 20_000 }).toBeGreaterThan(3_000);
    killedAt = Date.now();
    first.process.kill('SIGKILL');
    await first.exited;
    await writer;
  } finally {
    await first.stop('SIGKILL');
  }

  const second = await startServer({ env });
  try {
    const stored = (await history(second, 'crash_probe', 'window=1h&points=10000')).points;
    const times = stored.map(([t]) => t);
    expect(new Set(times).size).toBe(times.length);
    // Nothing invented: every stored point was sent with that value (the last, unanswered request's may be there too).
    for (const [t, v] of stored) expect(sent.has(t) ? sent.get(t) : 'not sent').toBe(v);
    const mustHave = acked.filter((p) => p.at < killedAt - 1_000);
    const have = new Set(times);
    expect(mustHave.filter((p) => !have.has(p.t))).toEqual([]);
    console.log(`kill -9: ${acked.length} points acknowledged, ${stored.length} back after restart, ${acked.length - stored.length} of the last acknowledged missing`);
  } finally {
    await second.stop('SIGKILL');
  }
});

test('a truncated and a bit-flipped block: start succeeds, the damage is reported, the rest reads', async ({ dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'damage', CHECKPOINT_INTERVAL: '1s' };
  const first = await startServer({ env });
  const now = Date.now();
  try {
    for (let s = 0; s < 3; s++) {
      const points = Array.from({ length: 200 }, (_, i) => ({ name: 'damage_probe', labels: { s: String(s) }, value: i, timestamp: now - 300_000 + i * 1_000 }));
      expect((await postPoints(first.url, points)).status).toBe(202);
      // One checkpoint per series: three blocks to damage differently.
      await new Promise((r) => setTimeout(r, 1_500));
    }
    expect((await first.stop('SIGTERM')).code).toBe(0);
  } finally {
    await first.stop('SIGKILL');
  }
  const blocks = fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith('l0-'))
    .map((f) => ({ f, size: fs.statSync(path.join(dataDir, f)).size }))
    .sort((a, b) => b.size - a.size);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  // The two largest cut short and bit-flipped; the log let go, so only blocks remain.
  const cut = path.join(dataDir, blocks[0]!.f);
  fs.truncateSync(cut, Math.floor(blocks[0]!.size / 2));
  const flipped = path.join(dataDir, blocks[1]!.f);
  const bytes = fs.readFileSync(flipped);
  bytes[Math.floor(bytes.length / 3)]! ^= 0x04;
  fs.writeFileSync(flipped, bytes);
  fs.rmSync(path.join(dataDir, 'wal'), { recursive: true, force: true });

  const second = await startServer({ env });
  try {
    const h = await storageHealth(second);
    expect(h.storage.damaged).toBeGreaterThan(0);
    expect(second.output()).toMatch(/damaged frames skipped/);
    // Each probe series was one checkpoint's: at least one is whole, none has a point it was not sent.
    const counts = [];
    for (let s = 0; s < 3; s++) {
      const res = await fetch(`${second.url}/api/series/${encodeURIComponent(`damage_probe{s="${s}"}`)}?window=15m&points=10000`);
      const got = res.status === 200 ? ((await res.json()) as History).points : [];
      for (const [t, v] of got) expect(t).toBe(now - 300_000 + v * 1_000);
      counts.push(got.length);
    }
    expect(counts).toContain(200);
    expect((await fetch(`${second.url}/api/health`)).status).toBe(200);
  } finally {
    await second.stop('SIGKILL');
  }
});

test('7-day and 30-day windows read the rollups with each bucket’s min and max; a raw export equals what was sent', async ({ dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'tiers' };
  const server = await startServer({ env });
  try {
    const now = Date.now();
    const start = now - 30 * DAY;
    // One point a minute for 30 days, a spike of 500 once 20 days ago; the series ends now.
    const spikeAt = start + 10 * DAY;
    const points: Array<{ name: string; value: number; timestamp: number }> = [];
    for (let i = 0, t = start; t <= now; i++, t += MINUTE) points.push({ name: 'queue_depth', value: t === spikeAt ? 500 : 10 + (i % 7), timestamp: t });
    for (let i = 0; i < points.length; i += 10_000) expect((await postPoints(server.url, points.slice(i, i + 10_000))).status).toBe(202);

    const week = await history(server, 'queue_depth', 'window=7d&points=1000');
    expect(week.tier).toBe('m1');
    expect(week.points.length).toBeLessThanOrEqual(1000);
    expect(week.points[0]![0]).toBeLessThan(now - 6.9 * DAY);
    expect(Math.min(...week.points.map((p) => p[1]))).toBe(10);
    expect(Math.max(...week.points.map((p) => p[1]))).toBe(16);

    const month = await history(server, 'queue_depth', 'window=30d&points=500');
    expect(month.tier).toBe('h1');
    expect(month.points.length).toBeLessThanOrEqual(500);
    // The one-minute spike survives a month at 500 points.
    expect(Math.max(...month.points.map((p) => p[1]))).toBe(500);
    expect(Math.min(...month.points.map((p) => p[1]))).toBe(10);

    // Raw export of the last day equals what was sent for it.
    const csv = await (await fetch(`${server.url}/api/export?metric=queue_depth&window=1d`)).text();
    const rows = csv.trim().split('\r\n').slice(1).map((line) => line.split(','));
    const first = Number(rows[0]![1]);
    expect(first).toBeGreaterThanOrEqual(now - DAY);
    expect(first).toBeLessThan(now - DAY + 2 * MINUTE);
    const sent = points.filter((p) => p.timestamp >= first);
    expect(rows.map((r) => [Number(r[1]), Number(r[3])])).toEqual(sent.map((p) => [p.timestamp, p.value]));
  } finally {
    await server.stop('SIGKILL');
  }
});

test('a full disk: ingest keeps working from memory, /api/health says why, and what was accepted meanwhile is saved once there is room', async ({ dataDir }) => {
  const small = path.join(dataDir, 'small');
  await withSmallDisk(small, '2m', async () => {
    const env = { DATA_DIR: small, INSTANCE: 'full', CHECKPOINT_INTERVAL: '1s' };
    let server = await startServer({ env });
    try {
      fillUp(path.join(small, 'filler'));
      const now = Date.now();
      // 50 series × 20 points a request, 20 requests: series s gets 0, 1, … 399 in time order.
      for (let i = 0; i < 20; i++) {
        const batch = [];
        for (let s = 0; s < 50; s++) for (let k = 0; k < 20; k++) batch.push({ name: 'full_probe', labels: { s: String(s) }, value: i * 20 + k, timestamp: now - 100_000 + i * 1_000 + k * 10 });
        expect((await postPoints(server.url, batch)).status).toBe(202);
      }
      await expect.poll(async () => (await storageHealth(server)).storage.state, { timeout: 10_000 }).toBe('degraded');
      const h = await storageHealth(server);
      expect(h.status).toBe('degraded');
      expect(h.storage.reason).toMatch(/ENOSPC|no space/i);
      // Dashboards hear it on their stream (the status badge shows it).
      const notice = await readEvents(`${server.url}/api/stream?series=none`, { until: (r) => r.events.some((e) => e.event === 'bus') });
      expect(JSON.parse(notice.events.find((e) => e.event === 'bus')!.data).storage).toMatch(/^history is not being saved \(cannot write .*(ENOSPC|no space)/i);
      // Still served from memory.
      expect((await history(server, 'full_probe{s="0"}', 'window=5m&points=10000')).points).toHaveLength(400);
      // Room again: saving resumes by itself, health says so, and a restart finds everything.
      fs.rmSync(path.join(small, 'filler'));
      await expect.poll(async () => (await storageHealth(server)).storage.state, { timeout: 10_000 }).toBe('ok');
      expect((await server.stop('SIGTERM')).code).toBe(0);
      server = await startServer({ env });
      for (const s of [0, 49]) {
        const values = (await history(server, `full_probe{s="${s}"}`, 'window=5m&points=10000')).points.map(([, v]) => v);
        expect(values).toEqual(Array.from({ length: 400 }, (_, i) => i));
      }
    } finally {
      await server.stop('SIGKILL');
    }
  });
});

test('over DATA_MAX_BYTES the oldest raw hours go first; newer data and ingest stay', async ({ dataDir }) => {
  const env = { DATA_DIR: dataDir, INSTANCE: 'cap', CHECKPOINT_INTERVAL: '1s', DATA_MAX_BYTES: '1MiB' };
  const server = await startServer({ env });
  try {
    const now = Date.now();
    const start = now - 40 * HOUR;
    // 40 hours of 20 noisy series at 10 s: several MiB compressed, all within RETENTION_RAW.
    for (let t = start; t < now; t += 500 * 10_000) {
      const batch = [];
      for (let k = 0; k < 500 && t + k * 10_000 < now; k++) for (let s = 0; s < 20; s++) batch.push({ name: 'cap_probe', labels: { s: String(s) }, value: Math.random() * 1e6, timestamp: t + k * 10_000 });
      expect((await postPoints(server.url, batch)).status).toBe(202);
    }
    await expect
      .poll(async () => (await (await fetch(`${server.url}/api/metrics`)).text()).match(/pulseboard_storage_dropped_total\{reason="for_space"\} (\d+)/)?.[1], { timeout: 15_000 })
      .not.toBe('0');
    // Enforced at each checkpoint (CHECKPOINT_INTERVAL): the log written since may exceed it until then.
    await expect.poll(async () => (await storageHealth(server)).storage.bytes, { timeout: 10_000 }).toBeLessThanOrEqual(1024 ** 2);
    const read = await history(server, 'cap_probe{s="0"}', 'window=2d&points=10000');
    // Raw hours are gone from the start of the window: it is read from the 1-minute rollups.
    expect(read.tier).toBe('m1');
    const day = read.points;
    expect(day.length).toBeGreaterThan(0);
    // The oldest went; the newest stayed (in minutes: the rollups' buckets).
    expect(day[0]![0]).toBeGreaterThan(start + HOUR);
    expect(day.at(-1)![0]).toBeGreaterThan(now - 2 * MINUTE);
    // The hot tier still has the last hour at full resolution.
    expect((await history(server, 'cap_probe{s="0"}', 'window=1h&points=10000')).points.at(-1)![0]).toBeGreaterThan(now - 20_000);
    expect((await postPoints(server.url, [{ name: 'cap_probe', labels: { s: '0' }, value: 1 }])).status).toBe(202);
  } finally {
    await server.stop('SIGKILL');
  }
});

test('with Redis: one of two instances restarted has the same history as its peer, read from its disk and the stream after it', async ({ dataDir }) => {
  const redis = await startRedis();
  const dirs = [dataDir, fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-storage-'))];
  // A stream shorter than what is pushed: the restarted instance must not depend on it for history.
  const envOf = (i: number) => ({ REDIS_URL: redis.url, DATA_DIR: dirs[i]!, INSTANCE: `r${i}`, REDIS_STREAM_MAXLEN: '100', COLLECT_INTERVAL: '1h' });
  const key = 'redis_probe{job="a"}';
  const started: RunningServer[] = [];
  try {
    const a = await startServer({ env: envOf(0) });
    started.push(a);
    let b = await startServer({ env: envOf(1) });
    started.push(b);
    const now = Date.now();
    const push = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) expect((await postPoints(a.url, [{ name: 'redis_probe', labels: { job: 'a' }, value: i, timestamp: now - 300_000 + i * 100 }])).status).toBe(202);
    };
    await push(0, 300);
    await expect.poll(async () => (await history(b, key, 'window=15m&points=10000')).points.length).toBe(300);
    expect((await b.stop('SIGTERM')).code).toBe(0);
    // Written while it is down: it reads these from the stream after its last persisted entry.
    await push(300, 50);
    b = await startServer({ env: envOf(1) });
    started.push(b);
    const peer = (await history(a, key, 'window=15m&points=10000')).points;
    expect(peer).toHaveLength(350);
    await expect.poll(async () => (await history(b, key, 'window=15m&points=10000')).points, { timeout: 10_000 }).toEqual(peer);
  } finally {
    for (const s of started) await s.stop('SIGKILL');
    await redis.stop();
    fs.rmSync(dirs[1]!, { recursive: true, force: true });
  }
});

test('a series faster than HISTORY_MAX_POINTS per retention: its hot window is read from disk, every point there', async ({ dataDir }) => {
  const server = await startServer({ env: { DATA_DIR: dataDir, INSTANCE: 'ringcap', HISTORY_MAX_POINTS: '1000' } });
  try {
    const now = Date.now();
    // 3,000 points of the last 5 minutes: the ring keeps the newest 1,000.
    const points = Array.from({ length: 3_000 }, (_, i) => ({ name: 'ringcap_probe', value: i, timestamp: now - 300_000 + i * 100 }));
    expect((await postPoints(server.url, points)).status).toBe(202);
    // The last 2 minutes: 1,200 points, of which the ring holds the newest 1,000.
    const res = await fetch(`${server.url}/api/series/ringcap_probe?window=2m&points=10000`);
    const body = (await res.json()) as { tier: string; points: Array<[number, number]> };
    expect(body.tier).toBe('raw');
    const asked = Date.now() - 120_000;
    const expected = points.filter((p) => p.timestamp >= asked).length;
    expect(Math.abs(body.points.length - expected)).toBeLessThanOrEqual(20);
    expect(body.points.length).toBeGreaterThan(1_100);
    expect(body.points.at(-1)).toEqual([now - 300_000 + 2_999 * 100, 2_999]);
    // A window the ring covers is still read from memory.
    const recent = (await (await fetch(`${server.url}/api/series/ringcap_probe?window=30s&points=10000`)).json()) as { tier: string; points: unknown[] };
    expect(recent.tier).toBe('memory');
  } finally {
    await server.stop('SIGKILL');
  }
});
