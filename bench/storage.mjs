#!/usr/bin/env node
// The durable store (DATA_DIR, lib/storage) measured in one run, against fresh production servers
// (`next start` on 127.0.0.1, free ports), figures side by side:
//
//   1. ingest points/s with DATA_DIR=<tmp> vs DATA_DIR=none (batches of 1,000, 4 in flight,
//      1,000 series: gauges with 2 decimals and counters, 1 s apart, inside HISTORY_RETENTION)
//   2. bytes per sample on disk after that run (SIGTERM checkpoints), by part, and the write
//      amplification (log + block bytes written) / (samples × 16); gauges-only and counters-only
//   3. GET /api/series/<key> latency p50/p99 over 1h/24h/7d/30d at points=1000, on a DATA_DIR
//      holding 30 days of 1-minute points and 2 days of 10 s points for 50 series
//   4. start-up time (spawn to the first 200 from /api/health, and the storage log line) and RSS
//      for N series × 1 h of 1 s raw points (N = 1,000 and 10,000; 100 with --smoke)
//   5. RSS of those servers against one started on an empty DATA_DIR
//   6. sealing an hour: N series × 1 h of 1 s points of an hour that has ended, left in the log
//      by a killed server; the next server's first checkpoint writes and seals it while
//      /api/health is asked every 25 ms: the longest answer is how long the server stood still
//
// Bounded: every load stops at a point count or a deadline, whichever comes first; every server
// is killed on exit. The load generator runs on the same machine (2 cores here): read ratios.
//
//   npm run build && node bench/storage.mjs                 # a few minutes
//   node bench/storage.mjs --smoke                          # seconds: checks the harness
//   node bench/storage.mjs --dir <checkout> [--keep]        # another build; --keep leaves the DATA_DIRs
//   node bench/storage.mjs --only ingest,startup            # some of the sections (1-2, 3, 4-5, 6: seal)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, freePort, rssKb } from './server.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const USAGE = 'usage: node bench/storage.mjs [--dir <checkout>] [--smoke] [--keep] [--only ingest,query,startup,seal]';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dir' || args[i] === '--only') i++;
  else if (!['--smoke', '--keep'].includes(args[i])) throw new Error(`unknown argument ${args[i]}: ${USAGE}`);
}
const SECTIONS = ['ingest', 'query', 'startup', 'seal'];
const ONLY = new Set((option('--only') ?? SECTIONS.join(',')).split(','));
for (const s of ONLY) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}: ${USAGE}`);
const SMOKE = flag('--smoke');
const KEEP = flag('--keep');
const CHECKOUT = path.resolve(option('--dir') ?? '.');
if (!fs.existsSync(path.join(CHECKOUT, '.next/BUILD_ID'))) throw new Error(`no production build in ${CHECKOUT}: run \`npm run build\` first`);

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const CONCURRENCY = 4;

const CONFIG = SMOKE
  ? {
      ingest: { series: 1000, points: 20_000, seconds: 10, warmup: 4_000 },
      split: null,
      query: { series: 1, requests: 10, days: 3, rawHours: 2, loadSeconds: 20 },
      startup: [{ series: 100, loadSeconds: 30 }],
      seal: { series: 50, loadSeconds: 30, watchSeconds: 20 },
    }
  : {
      ingest: { series: 1000, points: 2_000_000, seconds: 30, warmup: 20_000 },
      split: { series: 100, points: 200_000, seconds: 20 },
      query: { series: 50, requests: 50, days: 30, rawHours: 48, loadSeconds: 240 },
      startup: [
        { series: 1000, loadSeconds: 120 },
        { series: 10_000, loadSeconds: 360 },
      ],
      seal: { series: 2_000, loadSeconds: 180, watchSeconds: 60 },
    };

// Every server gets these (the collector kept quiet so it does not add points or CPU).
const BASE_ENV = {
  NEXT_TELEMETRY_DISABLED: '1',
  INSTANCE: 'bench-storage',
  HEARTBEAT_INTERVAL: '15s',
  COLLECT_INTERVAL: '1h',
  HISTORY_RETENTION: '1h',
  REDIS_URL: '',
};
// Loaders only: bodies of 10,000 points (~90 bytes each) are over the default 1 MiB.
const LOADER_ENV = { INGEST_MAX_BODY_BYTES: '8MiB' };

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const mb = (kb) => fmt(kb / 1024, 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => console.error(`[bench:storage ${new Date().toISOString().slice(11, 19)}] ${line}`);

// ---------------------------------------------------------------------------------------------
// Servers

const children = new Set();
const tmpDirs = [];

function tmpDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulseboard-bench-storage-${label}-`));
  tmpDirs.push(dir);
  return dir;
}

function cleanup() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  if (!KEEP) for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanup();
    process.exit(130);
  });
}

/** GET on a fresh connection, bounded: status and body. */
function get(url, timeoutMs = 10_000, agent = false) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
  });
}

/**
 * `next start` from the checkout with `env`, timed from the spawn to the first 200 from
 * /api/health; stdout and stderr are kept (the storage line is read from them).
 */
async function startServer(env, { timeoutMs = 180_000 } = {}) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: CHECKOUT,
    env: { ...process.env, ...BASE_ENV, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let readyMs = NaN;
  while (Date.now() < deadline && child.exitCode === null) {
    const res = await get(`${url}/api/health`, 2_000);
    if (res.status === 200) {
      readyMs = performance.now() - started;
      break;
    }
    await sleep(20);
  }
  if (!Number.isFinite(readyMs)) {
    child.kill('SIGKILL');
    throw new Error(`server on ${url} (DATA_DIR=${env.DATA_DIR}) did not answer /api/health with 200 in ${timeoutMs} ms; its output:\n${output.slice(-4000)}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const server = {
    url,
    pid: child.pid,
    readyMs,
    agent,
    output: () => output,
    /** The `[pulseboard] storage: ... in N ms` line, waiting up to 2 s for it to be read. */
    async storageLine() {
      for (let i = 0; i < 100; i++) {
        const m = /\[pulseboard\] storage: .* in (\d+) ms/.exec(output);
        if (m) return { line: m[0], ms: Number(m[1]) };
        await sleep(20);
      }
      return { line: '(no storage line)', ms: NaN };
    },
    /** SIGTERM, then SIGKILL after graceMs: how long the exit took, and whether it was killed. */
    stop(graceMs = 120_000) {
      agent.destroy();
      return new Promise((resolve) => {
        const t0 = performance.now();
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ killed: false, ms: 0, code: child.exitCode });
        let killed = false;
        const timer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), graceMs);
        child.once('exit', (code) => {
          clearTimeout(timer);
          children.delete(child);
          resolve({ killed, ms: performance.now() - t0, code });
        });
        child.kill('SIGTERM');
      });
    },
  };
  return server;
}

/** RSS of a process and its descendants, in KB. */
function treeRssKb(pid) {
  let total = rssKb(pid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += treeRssKb(Number(entry));
    } catch {
      // gone
    }
  }
  return total;
}

async function metrics(server) {
  const res = await get(`${server.url}/api/metrics`, 30_000);
  const out = new Map();
  for (const line of res.body.split('\n')) {
    if (!line.startsWith('pulseboard_storage_')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Data: series with realistic values, pushed in time order per series

/** A small deterministic PRNG (mulberry32), so runs push the same values. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GAUGE = 'bench_storage_load';
const COUNTER = 'bench_storage_requests_total';
const METADATA = `"metadata":{"${GAUGE}":{"type":"gauge","help":"A gauge with 2 decimals"},"${COUNTER}":{"type":"counter","help":"A counter growing by small integers"}}`;

/**
 * `series` series (kind(i): 'gauge' or 'counter'), each with points at timeAt(0..steps-1).
 * Worker w of `workers` owns the series i ≡ w (mod workers) and sends them time step by time
 * step, so every series' timestamps increase across requests whatever the order in flight.
 */
function dataset({ series, kind = (i) => (i % 2 === 0 ? 'gauge' : 'counter'), steps, timeAt, workers = CONCURRENCY, seed = 1 }) {
  const random = prng(seed);
  const kinds = Array.from({ length: series }, (_, i) => kind(i));
  const prefix = kinds.map((k, i) => `{"name":"${k === 'gauge' ? GAUGE : COUNTER}","labels":{"host":"host-${String(i >> 4).padStart(4, '0')}","n":"${i}"},"value":`);
  const value = kinds.map((k) => (k === 'gauge' ? Math.round((20 + random() * 60) * 100) / 100 : Math.floor(random() * 1e6)));
  const cursors = Array.from({ length: workers }, (_, w) => ({ owned: Array.from({ length: Math.ceil((series - w) / workers) }, (_, j) => w + j * workers), k: 0, j: 0 }));
  const next = (i) => {
    if (kinds[i] === 'gauge') {
      const v = Math.min(100, Math.max(0, value[i] + (random() - 0.5) * 2));
      value[i] = Math.round(v * 100) / 100;
    } else value[i] += Math.floor(random() * 5);
    return value[i];
  };
  return {
    series,
    kinds,
    /** The next body of at most `max` points for worker w, or null when its series are done. */
    body(w, max, until = steps) {
      const c = cursors[w];
      const end = Math.min(steps, until);
      if (c.owned.length === 0 || c.k >= end) return null;
      const parts = [];
      while (parts.length < max && c.k < end) {
        const i = c.owned[c.j];
        parts.push(`${prefix[i]}${next(i)},"timestamp":${timeAt(c.k)}}`);
        if (++c.j === c.owned.length) {
          c.j = 0;
          c.k++;
        }
      }
      return { body: `{"points":[${parts.join(',')}],${METADATA}}`, points: parts.length };
    },
    /** Skips worker cursors to time step k (not back). */
    skipTo(k) {
      for (const c of cursors) {
        if (c.k >= k) continue;
        c.k = k;
        c.j = 0;
      }
    },
  };
}

function post(server, body) {
  return new Promise((resolve) => {
    const req = http.request(
      `${server.url}/api/ingest`,
      { method: 'POST', agent: server.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ status: 0, body: err.message }));
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(body);
  });
}

/**
 * Pushes `data` with CONCURRENCY requests in flight of `batch` points, until `maxPoints` are
 * sent, the data ends, or `seconds` pass. Bodies are built ahead (`prebuild`) or as they go.
 */
async function push(server, data, { batch, maxPoints = Infinity, seconds, prebuild = false, untilStep }) {
  let budget = maxPoints;
  const take = () => {
    const n = Math.min(batch, budget);
    budget -= n;
    return n;
  };
  let queues = null;
  if (prebuild) {
    queues = Array.from({ length: CONCURRENCY }, () => []);
    for (let more = true; more && budget > 0; ) {
      more = false;
      for (let w = 0; w < CONCURRENCY && budget > 0; w++) {
        const n = take();
        const b = n > 0 ? data.body(w, n, untilStep) : null;
        if (b) {
          queues[w].push(b);
          more = true;
          budget += n - b.points;
        } else budget += n;
      }
    }
  }
  const totals = { accepted: 0, skipped: 0, requests: 0, failures: 0, firstError: null, interrupted: false };
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const end = Date.now() + seconds * 1000;
  const worker = async (w) => {
    while (Date.now() < end) {
      let b;
      if (queues) b = queues[w].shift();
      else {
        const n = take();
        b = n > 0 ? data.body(w, n, untilStep) : null;
        if (b) budget += n - b.points;
        else budget += n;
      }
      if (!b) return;
      const res = await post(server, b.body);
      totals.requests++;
      if (res.status === 202) {
        const json = JSON.parse(res.body);
        totals.accepted += json.accepted;
        totals.skipped += json.skipped ?? 0;
      } else if (res.status === 503 && res.body.includes('shutting down')) {
        // Someone else sent the server SIGTERM (this bench only does so after a run): stop, say so.
        totals.failures++;
        totals.firstError ??= `${res.status} ${res.body.slice(0, 300)}`;
        totals.interrupted = true;
        return;
      } else {
        totals.failures++;
        totals.firstError ??= `${res.status} ${res.body.slice(0, 300)}`;
        if (totals.failures > 20) return;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  return { ...totals, elapsed, pointsPerSecond: totals.accepted / elapsed, serverCpuSeconds: cpu, timedOut: Date.now() >= end };
}

// ---------------------------------------------------------------------------------------------
// DATA_DIR on disk

function partOf(name) {
  const m = /^(l0|raw|m1|h1)-.*\.blk$/.exec(name);
  return m ? m[1] : 'other';
}

/** Bytes (apparent and allocated) by part: wal/, l0, raw, m1, h1, other (series.log, pulseboard.json). */
function diskUsage(dir) {
  const parts = {};
  const files = new Map();
  const add = (part, file) => {
    const st = fs.statSync(file);
    parts[part] ??= { bytes: 0, allocated: 0, files: 0 };
    parts[part].bytes += st.size;
    parts[part].allocated += st.blocks * 512;
    parts[part].files++;
    files.set(path.relative(dir, file), st.size);
  };
  for (const part of ['wal', 'l0', 'raw', 'm1', 'h1', 'other']) parts[part] = { bytes: 0, allocated: 0, files: 0 };
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f);
    if (f === 'wal') for (const w of fs.readdirSync(file)) add('wal', path.join(file, w));
    else if (fs.statSync(file).isFile()) add(partOf(f), file);
  }
  const blocks = ['l0', 'raw', 'm1', 'h1'].reduce((n, p) => n + parts[p].bytes, 0);
  const total = Object.values(parts).reduce((n, p) => n + p.bytes, 0);
  const allocated = Object.values(parts).reduce((n, p) => n + p.allocated, 0);
  return { parts, blocks, total, allocated, files };
}

/**
 * Ingest `data` into a fresh server on `dir`, then the store's write counters, SIGTERM (the
 * shutdown checkpoint), and the disk by part. Block bytes written by the shutdown checkpoint are
 * not in the counters read before it: block files that are new after it are added (an l0 block
 * written and sealed within the same shutdown is not seen, so that sum is a lower bound).
 */
async function persistRun(dir, data, options, extraEnv = {}) {
  const server = await startServer({ DATA_DIR: dir, ...extraEnv });
  let run;
  try {
    if (options.warmup) await push(server, data, { batch: options.batch, maxPoints: options.warmup, seconds: 30 });
    run = await push(server, data, options);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const rss = treeRssKb(server.pid);
  const m = await metrics(server);
  const before = diskUsage(dir);
  const stopped = await server.stop();
  const after = diskUsage(dir);
  let shutdownBlockBytes = 0;
  for (const [f, size] of after.files) if (f.endsWith('.blk') && !before.files.has(f)) shutdownBlockBytes += size;
  const samples = m.get('pulseboard_storage_samples_written_total') ?? NaN;
  const walWritten = m.get('pulseboard_storage_wal_bytes_written_total') ?? NaN;
  const blockWritten = m.get('pulseboard_storage_block_bytes_written_total') ?? NaN;
  return {
    run,
    server,
    rssKb: rss,
    stopped,
    samples,
    walWritten,
    blockWritten,
    shutdownBlockBytes,
    checkpoints: m.get('pulseboard_storage_checkpoints_total') ?? NaN,
    dropped: m.get('pulseboard_storage_dropped_total{reason="out_of_order"}') ?? NaN,
    disk: after,
    writeAmp: (walWritten + blockWritten) / (samples * 16),
    writeAmpWithShutdown: (walWritten + blockWritten + shutdownBlockBytes) / (samples * 16),
  };
}

// ---------------------------------------------------------------------------------------------
// 1 and 2: ingest with persistence on and off; bytes per sample

async function ingestSection() {
  const { series, points, seconds, warmup } = CONFIG.ingest;
  const steps = Math.ceil((points + warmup) / series);
  // 1 s apart, starting 50 minutes back: all inside HISTORY_RETENTION=1h in both modes.
  const makeData = () => {
    const t0 = Date.now() - 50 * MINUTE;
    return dataset({ series, steps, timeAt: (k) => t0 + k * 1000 });
  };
  const options = { batch: 1000, maxPoints: points, seconds, prebuild: true, warmup };

  // A run whose server was told to shut down by something else is run once more.
  const retried = async (label, fn) => {
    const first = await fn();
    if (!first.run.interrupted) return first;
    log(`${label}: the server was sent SIGTERM by something outside this bench during the run; running it again`);
    const again = await fn();
    again.retried = true;
    return again;
  };
  log(`ingest, DATA_DIR=none: ${fmt(points)} points or ${seconds} s`);
  const off = await retried('ingest off', async () => {
    const server = await startServer({ DATA_DIR: 'none' });
    try {
      const data = makeData();
      await push(server, data, { batch: 1000, maxPoints: warmup, seconds: 30 });
      return { run: await push(server, data, options), rssKb: treeRssKb(server.pid) };
    } finally {
      await server.stop();
    }
  });

  log(`ingest, DATA_DIR=<tmp>: ${fmt(points)} points or ${seconds} s`);
  const on = await retried('ingest on', () => persistRun(tmpDir('ingest'), makeData(), options));
  // The same with ingest through Next.js' route pipeline: what answering it from the gate saves.
  log(`ingest, DATA_DIR=<tmp>, INGEST_DIRECT=off: ${fmt(points)} points or ${seconds} s`);
  const viaNext = await retried('ingest through Next.js', () => persistRun(tmpDir('ingest-next'), makeData(), options, { INGEST_DIRECT: 'off' }));

  let split = null;
  if (CONFIG.split) {
    split = {};
    for (const kind of ['gauge', 'counter']) {
      const s = CONFIG.split;
      log(`bytes per sample, ${kind}s only: ${s.series} series × ${fmt(s.points / s.series)} points`);
      const t0 = Date.now() - 50 * MINUTE;
      const data = dataset({ series: s.series, kind: () => kind, steps: Math.ceil(s.points / s.series), timeAt: (k) => t0 + k * 1000, seed: 7 });
      split[kind] = await persistRun(tmpDir(`split-${kind}`), data, { batch: 1000, maxPoints: s.points, seconds: s.seconds, prebuild: true });
    }
  }
  return { on, off, viaNext, split };
}

// ---------------------------------------------------------------------------------------------
// 3: query latency over 1h / 24h / 7d / 30d

const WINDOWS = ['1h', '24h', '7d', '30d'];

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function querySection() {
  const { series, requests, days, rawHours } = CONFIG.query;
  const now = Date.now();
  // 30 days of 1-minute points up to 2 days ago, then 10 s points up to now (--smoke: 3 days, 2 hours).
  const aStart = now - days * DAY + 15 * MINUTE;
  const bStart = now - rawHours * HOUR;
  const aSteps = Math.floor((bStart - aStart) / MINUTE);
  const bSteps = Math.floor((now - 10_000 - bStart) / 10_000);
  const timeAt = (k) => (k < aSteps ? aStart + k * MINUTE : bStart + (k - aSteps) * 10_000);
  const data = dataset({ series, steps: aSteps + bSteps, timeAt, seed: 3 });
  const dir = tmpDir('query');
  const total = series * (aSteps + bSteps);
  log(`query data: ${series} series × (${fmt(aSteps)} 1-minute + ${fmt(bSteps)} 10 s points) = ${fmt(total)} points`);
  const loaded = await persistRun(dir, data, { batch: 10_000, seconds: CONFIG.query.loadSeconds }, LOADER_ENV);
  const { run: load, stopped, disk } = loaded;
  log(`query data loaded (${fmt(load.accepted)} points in ${fmt(load.elapsed, 1)} s, shutdown ${fmt(stopped.ms)} ms); restarting on it`);
  const server = await startServer({ DATA_DIR: dir });
  const startup = await server.storageLine();
  const rows = [];
  try {
    const list = JSON.parse((await get(`${server.url}/api/series?series=${GAUGE}*`, 30_000)).body);
    const key = list.series.find((s) => s.labels?.n === '0')?.key ?? list.series[0]?.key;
    if (!key) throw new Error('query: no series listed after the restart');
    for (const window of WINDOWS) {
      const url = `${server.url}/api/series/${encodeURIComponent(key)}?window=${window}&points=1000`;
      const times = [];
      let first = null;
      let last = null;
      let failures = 0;
      for (let i = 0; i < requests + 1; i++) {
        const t0 = performance.now();
        const res = await get(url, 30_000, server.agent);
        const ms = performance.now() - t0;
        if (res.status !== 200) {
          failures++;
          last = { error: `${res.status} ${res.body.slice(0, 200)}` };
          continue;
        }
        const json = JSON.parse(res.body);
        last = { tier: json.tier, points: json.points.length, bytes: res.body.length, oldest: json.points[0]?.[0] };
        if (i === 0) first = { ms, ...last };
        else times.push(ms);
      }
      times.sort((a, b) => a - b);
      rows.push({ window, key, first, last, failures, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times.at(-1) });
    }
  } finally {
    await server.stop();
  }
  return { series, aSteps, bSteps, total, load, loaded, loadStop: stopped, disk, rows, restart: { readyMs: server.readyMs, line: startup.line } };
}

// ---------------------------------------------------------------------------------------------
// 4 and 5: start-up time and RSS against stored size

async function startupCase({ series, loadSeconds }) {
  const env = series > 5_000 ? { MAX_SERIES: '20000' } : {};
  const dir = tmpDir(`startup-${series}`);
  const anchor = Date.now();
  const steps = 3600;
  // 1 h of 1 s points ending at `anchor`. The first 55 minutes go in with the log let go at once
  // (REPLAY_WINDOW=1s), the last 5 with the default REPLAY_WINDOW=5m: the disk then looks like a
  // server's that has been ingesting for an hour (blocks, and 5 minutes of log kept for replay),
  // not like one that took the whole hour in during the last minutes.
  const data = dataset({ series, steps, timeAt: (k) => anchor - (steps - k) * 1000, seed: 11 });
  const deadline = Date.now() + loadSeconds * 1000;
  const phase1Steps = steps - 300;
  log(`start-up, ${fmt(series)} series × 1 h: loading ${fmt(series * steps)} points (at most ${loadSeconds} s)`);
  const loads = [];
  // Phase 1 checkpoints every 5 s with REPLAY_WINDOW=1s so that its log is let go as it goes; it
  // gets 80 % of the time, and if it runs out the last 5 minutes still go in (a gap before them).
  const phases = SMOKE
    ? [[{}, 0, steps, 1]]
    : [
        [{ REPLAY_WINDOW: '1s', CHECKPOINT_INTERVAL: '5s' }, 0, phase1Steps, 0.8],
        [{}, phase1Steps, steps, 1],
      ];
  for (const [phaseEnv, from, upTo, share] of phases) {
    data.skipTo(from);
    const seconds = Math.max(30, ((deadline - Date.now()) / 1000) * share);
    // Each worker stops at step upTo for its own series (a shared point budget would let one run ahead).
    const p = await persistRun(dir, data, { batch: 10_000, untilStep: upTo, seconds }, { ...env, ...LOADER_ENV, ...phaseEnv });
    const r = p.run;
    loads.push({ ...r, stopMs: p.stopped.ms, killed: p.stopped.killed, rssKb: p.rssKb, writeAmp: p.writeAmpWithShutdown, samples: p.samples });
    if (r.failures > 0) log(`  load failures: ${r.failures} (${r.firstError})`);
    log(`  phase ${loads.length}: ${fmt(r.accepted)} points at ${fmt(r.pointsPerSecond)} points/s${r.timedOut ? ' (deadline reached)' : ''}`);
  }
  const accepted = loads.reduce((n, r) => n + r.accepted, 0);
  const loadSecondsUsed = loads.reduce((n, r) => n + r.elapsed, 0);
  const disk = diskUsage(dir);
  log(`  loaded ${fmt(accepted)} of ${fmt(series * steps)} points in ${fmt(loadSecondsUsed, 1)} s; starting on it`);
  const measured = [];
  for (let i = 0; i < (SMOKE ? 1 : 2); i++) {
    const server = await startServer({ DATA_DIR: dir, ...env });
    try {
      const line = await server.storageLine();
      const rssReady = treeRssKb(server.pid);
      await sleep(2000);
      const rssSettled = treeRssKb(server.pid);
      const health = JSON.parse((await get(`${server.url}/api/health`, 30_000)).body);
      let hourPoints = NaN;
      if (i === 0) {
        const list = JSON.parse((await get(`${server.url}/api/series?series=${GAUGE}*`, 60_000)).body);
        const key = list.series.find((s) => s.labels?.n === '0')?.key;
        if (key) hourPoints = JSON.parse((await get(`${server.url}/api/series/${encodeURIComponent(key)}?window=1h&points=10000`, 30_000)).body).points.length;
      }
      measured.push({ readyMs: server.readyMs, line, rssReady, rssSettled, seriesBack: health.series?.count, hourPoints });
    } finally {
      await server.stop();
    }
  }
  return { series, steps, accepted, target: series * steps, complete: accepted + loads.reduce((n, r) => n + r.skipped, 0) >= series * steps, loads, loadSecondsUsed, disk, measured, env };
}

// ---------------------------------------------------------------------------------------------
// 6: sealing an hour while serving

async function sealSection() {
  const { series, loadSeconds, watchSeconds } = CONFIG.seal;
  const dir = tmpDir('seal');
  const steps = 3600;
  // An hour that ended more than 2 h ago: nothing of it is in the hot tier, and it is sealed at once.
  const end = Date.now() - 2 * HOUR;
  const data = dataset({ series, steps, timeAt: (k) => end - (steps - k) * 1000, seed: 23 });
  // No checkpoint while loading: the hour stays in the log, as a crash would leave it.
  const loader = await startServer({ DATA_DIR: dir, CHECKPOINT_INTERVAL: '1h', MAX_SERIES: '20000', ...LOADER_ENV });
  const run = await push(loader, data, { batch: 10_000, seconds: loadSeconds });
  log(`seal: ${fmt(run.accepted)} points of ${fmt(series)} series loaded at ${fmt(run.pointsPerSecond)} points/s; killing the loader`);
  process.kill(loader.pid, 'SIGKILL');
  await loader.stop(1_000);
  const server = await startServer({ DATA_DIR: dir, CHECKPOINT_INTERVAL: '5s', MAX_SERIES: '20000' });
  try {
    const sealsBefore = (await metrics(server)).get('pulseboard_storage_seals_total') ?? 0;
    const latencies = [];
    let failures = 0;
    let sealedAfter = NaN;
    const t0 = performance.now();
    const deadline = Date.now() + watchSeconds * 1000;
    while (Date.now() < deadline) {
      const started = performance.now();
      const res = await get(`${server.url}/api/health`, 30_000, server.agent);
      latencies.push(performance.now() - started);
      if (res.status !== 200 && res.status !== 503) failures++;
      if (!Number.isFinite(sealedAfter) && latencies.length % 20 === 0) {
        const seals = (await metrics(server)).get('pulseboard_storage_seals_total') ?? 0;
        if (seals > sealsBefore) sealedAfter = performance.now() - t0;
      }
      if (Number.isFinite(sealedAfter) && performance.now() - t0 > sealedAfter + 2_000) break;
      await sleep(25);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return { series, accepted: run.accepted, readyMs: server.readyMs, sealedAfter, requests: latencies.length, failures, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) };
  } finally {
    await server.stop();
  }
}

function printSeal(r) {
  console.log('\n## 6. Sealing an hour while serving (the first checkpoint after a start, with an ended hour in the log)\n');
  console.log(`${fmt(r.series)} series × 1 h of 1 s points (${fmt(r.accepted)} points); server ready in ${fmt(r.readyMs)} ms; sealed within ${fmt(r.sealedAfter / 1000, 1)} s of it${Number.isFinite(r.sealedAfter) ? '' : ' (NOT SEEN: the watch ended first)'}.\n`);
  console.log('| GET /api/health while it seals | requests | failures | p50 ms | p99 ms | longest ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| every 25 ms | ${fmt(r.requests)} | ${r.failures} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} |`);
}

async function emptyStart(env = {}) {
  const server = await startServer({ DATA_DIR: tmpDir('empty'), ...env });
  try {
    const line = await server.storageLine();
    const rssReady = treeRssKb(server.pid);
    await sleep(2000);
    return { readyMs: server.readyMs, line, rssReady, rssSettled: treeRssKb(server.pid) };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function header() {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: CHECKOUT }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  const cpu = os.cpus();
  return `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; checkout ${CHECKOUT} at ${commit}; ${new Date().toISOString()}${SMOKE ? '; --smoke' : ''}`;
}

function printIngest({ on, off, viaNext, split }) {
  const r = (x) => x.run;
  console.log(`\n## 1. Ingest: batches of 1,000 points, ${CONCURRENCY} in flight, ${fmt(CONFIG.ingest.series)} series (half gauges, half counters), 1 s apart\n`);
  console.log('| | DATA_DIR=<tmp> (on) | DATA_DIR=none (off) | on / off | on, through Next.js (INGEST_DIRECT=off) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const row = (label, f, digits = 0, ratio = true) => {
    const [a, b, c] = [f(on), f(off), f(viaNext)];
    console.log(`| ${label} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${ratio && b ? `${fmt((a / b) * 100, 1)} %` : ''} | ${fmt(c, digits)} |`);
  };
  row('points/s', (x) => r(x).pointsPerSecond, 0);
  row('points accepted (timed)', (x) => r(x).accepted, 0, false);
  row('seconds', (x) => r(x).elapsed, 2, false);
  row('requests', (x) => r(x).requests, 0, false);
  row('failed requests', (x) => r(x).failures, 0, false);
  row('points skipped', (x) => r(x).skipped, 0, false);
  row('server CPU µs per point', (x) => (r(x).serverCpuSeconds / r(x).accepted) * 1e6, 2);
  row('server RSS after the run, MB', (x) => x.rssKb / 1024, 1);
  row('server CPU % (of one core)', (x) => (r(x).serverCpuSeconds / r(x).elapsed) * 100, 0, false);
  for (const [label, x] of [
    ['on', on.run],
    ['off', off.run],
    ['through Next.js', viaNext.run],
  ])
    if (x.firstError) console.log(`\n${label}: first failure: ${x.firstError}${x.interrupted ? ' (INTERRUPTED: the server was sent SIGTERM by something outside this bench; figures cover the run up to then)' : ''}`);
  for (const [label, x] of [
    ['on', on],
    ['off', off],
    ['through Next.js', viaNext],
  ])
    if (x.retried) console.log(`\n${label}: the first attempt was interrupted by a SIGTERM from outside this bench; these figures are from a second attempt.`);

  console.log(`\n## 2. Bytes on disk after that run (SIGTERM: shutdown checkpoint took ${fmt(on.stopped.ms)} ms${on.stopped.killed ? ', KILLED' : ''})\n`);
  const cols = [['mixed (run 1)', on], ...(split ? [['gauges only', split.gauge], ['counters only', split.counter]] : [])];
  console.log(`| | ${cols.map((c) => c[0]).join(' | ')} |`);
  console.log(`| --- | ${cols.map(() => '---:').join(' | ')} |`);
  const line = (label, f, digits = 0) => console.log(`| ${label} | ${cols.map(([, c]) => fmt(f(c), digits)).join(' | ')} |`);
  line('samples written (pulseboard_storage_samples_written_total)', (c) => c.samples);
  line('checkpoints before SIGTERM', (c) => c.checkpoints);
  for (const part of ['wal', 'l0', 'raw', 'm1', 'h1', 'other']) line(`${part === 'wal' ? 'wal/' : part === 'other' ? 'series.log + pulseboard.json' : `${part}-*.blk`} bytes (files)`, (c) => c.disk.parts[part].bytes);
  line('blocks bytes/sample (l0+raw+m1+h1)', (c) => c.disk.blocks / c.samples, 2);
  line('raw-*.blk bytes/sample', (c) => c.disk.parts.raw.bytes / c.samples, 2);
  line('WAL bytes/sample (on disk)', (c) => c.disk.parts.wal.bytes / c.samples, 2);
  line('overall bytes/sample (all of DATA_DIR)', (c) => c.disk.total / c.samples, 2);
  line('overall allocated (du) bytes/sample', (c) => c.disk.allocated / c.samples, 2);
  line('WAL bytes written', (c) => c.walWritten);
  line('block bytes written (counter, before SIGTERM)', (c) => c.blockWritten);
  line('block bytes written by the shutdown (new files, ≥)', (c) => c.shutdownBlockBytes);
  line('write amplification (counters before SIGTERM)', (c) => c.writeAmp, 3);
  line('write amplification incl. shutdown blocks', (c) => c.writeAmpWithShutdown, 3);
}

function printQuery(q) {
  console.log(`\n## 3. GET /api/series/<key>?window=..&points=1000, ${CONFIG.query.requests} sequential requests each (after 1 cold request), one gauge series\n`);
  console.log(`Data: ${q.series} series × (${fmt(q.aSteps)} 1-minute points over ${CONFIG.query.days} d − ${CONFIG.query.rawHours} h + ${fmt(q.bSteps)} 10 s points over the last ${CONFIG.query.rawHours} h) = ${fmt(q.total)} points, loaded at ${fmt(q.load.pointsPerSecond)} points/s (10,000 a request, ${CONCURRENCY} in flight; ${q.load.failures} failed requests${q.load.firstError ? `: ${q.load.firstError}` : ''}); loader shutdown ${fmt(q.loadStop.ms)} ms; write amplification of this backfill ${fmt(q.loaded.writeAmpWithShutdown, 3)} (log ${fmt(q.loaded.walWritten)} + blocks ${fmt(q.loaded.blockWritten + q.loaded.shutdownBlockBytes)} bytes written for ${fmt(q.loaded.samples)} samples).`);
  console.log(`DATA_DIR after: ${fmt(q.disk.total)} bytes (wal ${fmt(q.disk.parts.wal.bytes)}, raw ${fmt(q.disk.parts.raw.bytes)} in ${q.disk.parts.raw.files} files, m1 ${fmt(q.disk.parts.m1.bytes)} in ${q.disk.parts.m1.files}, h1 ${fmt(q.disk.parts.h1.bytes)} in ${q.disk.parts.h1.files}, l0 ${fmt(q.disk.parts.l0.bytes)} in ${q.disk.parts.l0.files}). Restart: first 200 after ${fmt(q.restart.readyMs)} ms; ${q.restart.line}\n`);
  console.log('| window | tier | points returned | response bytes | cold ms | p50 ms | p99 ms | max ms | failures |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of q.rows) {
    console.log(`| ${r.window} | ${r.last?.tier ?? r.last?.error ?? '–'} | ${fmt(r.last?.points)} | ${fmt(r.last?.bytes)} | ${fmt(r.first?.ms, 1)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${r.failures} |`);
  }
}

function printStartup(cases, empty) {
  console.log('\n## 4–5. Start-up (spawn of `next start` to the first 200 from /api/health) and RSS, against stored size\n');
  for (const c of cases) {
    const l = c.loads;
    console.log(
      `- ${fmt(c.series)} series × 1 h of 1 s points: ${fmt(c.accepted)} of ${fmt(c.target)} points loaded${c.complete ? '' : ' (REDUCED: the load deadline came first)'} in ${fmt(c.loadSecondsUsed, 1)} s (${l.map((r, i) => `${l.length > 1 ? (i === 0 ? 'first 55 min with CHECKPOINT_INTERVAL=5s REPLAY_WINDOW=1s: ' : 'last 5 min with the defaults: ') : ''}` + `${fmt(r.pointsPerSecond)} points/s, ${r.failures} failed requests${r.firstError ? ` [${r.firstError}]` : ''}, loader RSS ${mb(r.rssKb)} MB, shutdown ${fmt(r.stopMs)} ms${r.killed ? ' KILLED' : ''}, write amplification ${fmt(r.writeAmp, 2)}`).join('; then ')}); DATA_DIR ${fmt(c.disk.total / 2 ** 20, 1)} MiB (wal ${fmt(c.disk.parts.wal.bytes / 2 ** 20, 1)}, raw ${fmt(c.disk.parts.raw.bytes / 2 ** 20, 1)}, m1 ${fmt(c.disk.parts.m1.bytes / 2 ** 20, 1)}, l0 ${fmt(c.disk.parts.l0.bytes / 2 ** 20, 1)}), ${fmt(c.disk.total / c.accepted, 2)} bytes/point`,
    );
  }
  console.log('');
  console.log('| DATA_DIR | start | first 200 ms | storage line ms | series back | 1h points of one series | RSS at first 200 MB | RSS +2 s MB | RSS vs empty |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| empty | 1 | ${fmt(empty.readyMs)} | ${fmt(empty.line.ms)} | – | – | ${mb(empty.rssReady)} | ${mb(empty.rssSettled)} | 1.00× |`);
  for (const c of cases) {
    c.measured.forEach((m, i) => {
      console.log(`| ${fmt(c.series)} series × 1 h | ${i + 1} | ${fmt(m.readyMs)} | ${fmt(m.line.ms)} | ${fmt(m.seriesBack)} | ${fmt(m.hourPoints)} | ${mb(m.rssReady)} | ${mb(m.rssSettled)} | ${fmt(m.rssSettled / empty.rssSettled, 2)}× |`);
    });
  }
  console.log('\nStorage lines:');
  console.log(`- empty: ${empty.line.line}`);
  for (const c of cases) for (const m of c.measured) console.log(`- ${fmt(c.series)} series: ${m.line.line}`);
}

function printGoals(ingest, cases) {
  console.log('\n## Goals\n');
  console.log('| goal | measured | verdict |');
  console.log('| --- | --- | --- |');
  if (ingest) {
    const on = ingest.on.run.pointsPerSecond;
    const ratio = on / ingest.off.run.pointsPerSecond;
    console.log(`| ingest with persistence ≥ 200,000 points/s | ${fmt(on)} points/s | ${on >= 200_000 ? 'met' : 'missed'} |`);
    console.log(`| ingest with persistence ≥ 80 % of without | ${fmt(ratio * 100, 1)} % | ${ratio >= 0.8 ? 'met' : 'missed'} |`);
  }
  if (cases.length > 0) {
    const big = cases.find((c) => c.series === 10_000) ?? cases.at(-1);
    const firstStart = big.measured[0].readyMs;
    console.log(
      `| start-up with 10,000 series × 1 h raw ≤ 3 s to the first request | ${fmt(big.series)} series${big.complete ? '' : ' (reduced data)'}: ${big.measured.map((m) => `${fmt(m.readyMs)} ms`).join(', ')} (storage line ${big.measured.map((m) => `${fmt(m.line.ms)} ms`).join(', ')}) | ${big.series === 10_000 && big.complete ? (firstStart <= 3000 ? 'met' : 'missed') : 'not measured at full size'} |`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
console.log(`# Storage bench\n\n${header()}\nLoad average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  const ingest = ONLY.has('ingest') ? await ingestSection() : null;
  if (ingest) printIngest(ingest);
  if (ONLY.has('query')) printQuery(await querySection());
  const cases = [];
  if (ONLY.has('startup')) {
    const empty = await emptyStart({ MAX_SERIES: '20000' });
    for (const c of CONFIG.startup) cases.push(await startupCase(c));
    printStartup(cases, empty);
  }
  if (ONLY.has('seal')) printSeal(await sealSection());
  printGoals(ingest, cases);
  console.log(`\nTotal ${fmt((performance.now() - started) / 1000, 1)} s. Load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  cleanup();
}
