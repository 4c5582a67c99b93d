// Hostile ingest, measured against one or more production builds side by side:
//
//   node bench/hostile-ingest.mjs --dir /work/wt-base --dir .
//
// For each checkout (which must hold a production build, `.next/BUILD_ID`) it starts `next start`
// on a free 127.0.0.1 port and measures:
//   (a) 100 KB of digits then `x` as a text/plain value: status, request time, and how long
//       /api/health takes while the request is being handled;
//   (b) the same with 1 MiB (within INGEST_MAX_BODY_BYTES), run last: an old build's event loop
//       may stay blocked for minutes after the bench gives up on it;
//   (c) up to 200 requests, each with a 1,000,000-character metric name: statuses, the server's
//       RSS before and after, then GET /api/series (size, time) and GET / (status, time);
//   (d) a 100 KB malformed JSON body, and a 100 KB bad value in a text body: error body sizes.
// Every request is bounded (REQUEST_TIMEOUT_MS), every loop by count and time; only 127.0.0.1 is
// contacted; servers are killed at the end, on error and on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareBuilds, freePort, request as send, rssKb } from './server.mjs';

const REQUEST_TIMEOUT_MS = 120_000;
// (c) stops sending after this long even if fewer than NAME_REQUESTS went out.
const NAME_BUDGET_MS = 120_000;
const NAME_REQUESTS = 200;
const KB = 1024;
const MiB = 1024 * KB;

const running = new Set();

/** Starts `next start` in `dir` on a free loopback port; resolves once /api/health answers. */
async function start(dir) {
  if (!existsSync(path.join(dir, '.next/BUILD_ID'))) throw new Error(`${dir} has no production build (.next/BUILD_ID): run npm run build there`);
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(dir, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    // The in-process bus, and this instance's collector running as usual.
    // A throwaway DATA_DIR: nothing left in the checkout measured.
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), INSTANCE: 'bench', REDIS_URL: '', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'pulseboard-bench-')) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server in ${dir} did not become healthy`);
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // SIGKILL: a build stuck in a RegExp would not get to its SIGTERM handler for minutes.
    child.kill('SIGKILL');
  });
}

const request = (url, options = {}) => send(url, { ...options, timeoutMs: REQUEST_TIMEOUT_MS });

const ingest = (url, body, type) => request(`${url}/api/ingest`, { method: 'POST', body, headers: { 'content-type': type } });

/** A text body of `digits` digits then `x`, with /api/health asked 50 ms after it is sent. */
async function digitsThenX(url, digits) {
  const post = ingest(url, `digits ${'1'.repeat(digits)}x\n`, 'text/plain');
  await new Promise((r) => setTimeout(r, 50));
  const health = await request(`${url}/api/health`);
  return { post: await post, health };
}

const ms = (r) => (r.timedOut ? `> ${REQUEST_TIMEOUT_MS / 1000} s` : r.error ? `failed (${r.error})` : r.ms >= 10_000 ? `${(r.ms / 1000).toFixed(1)} s` : `${Math.round(r.ms)} ms`);
const size = (bytes) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : bytes >= KB ? `${(bytes / KB).toFixed(1)} KiB` : `${bytes} B`);
const status = (r) => (r.timedOut ? '(no answer)' : r.error ? '(failed)' : String(r.status));

async function measure(dir) {
  const { url, child } = await start(dir);
  const rows = {};
  try {
    const a = await digitsThenX(url, 100 * KB);
    rows['(a) 100 KB digits+x: status'] = status(a.post);
    rows['(a) 100 KB digits+x: request time'] = ms(a.post);
    rows['(a) /api/health during it'] = ms(a.health);

    const rssBefore = rssKb(child.pid);
    const statuses = new Map();
    const started = Date.now();
    let sent = 0;
    for (let i = 0; i < NAME_REQUESTS && Date.now() - started < NAME_BUDGET_MS; i++) {
      const name = `n${String(i).padStart(3, '0')}_${'a'.repeat(1_000_000 - 5)}`;
      const r = await ingest(url, JSON.stringify({ points: [{ name, value: i }] }), 'application/json');
      statuses.set(status(r), (statuses.get(status(r)) ?? 0) + 1);
      sent++;
      if (r.timedOut) break;
    }
    const rssAfter = rssKb(child.pid);
    rows['(c) 1,000,000-char names: requests sent'] = `${sent} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    rows['(c) statuses'] = [...statuses].map(([s, n]) => `${n}× ${s}`).join(', ');
    rows['(c) server RSS before → after'] = `${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MB`;
    const series = await request(`${url}/api/series`);
    rows['(c) GET /api/series: size, time'] = `${size(series.bytes)}, ${ms(series)}`;
    const page = await request(`${url}/`);
    rows['(c) GET /: status, time'] = `${status(page)}, ${ms(page)}`;

    const json = await ingest(url, `{"points":[{"name":"x","value":${'1'.repeat(100 * KB)}x`, 'application/json');
    rows['(d) 100 KB malformed JSON: status, error body'] = `${status(json)}, ${size(json.bytes)}`;
    const value = await ingest(url, `bad_value ${'a'.repeat(100 * KB)}\n`, 'text/plain');
    rows['(d) 100 KB bad text value: status, error body'] = `${status(value)}, ${size(value.bytes)}`;

    // Last: an old build may stay blocked long after this gives up.
    const b = await digitsThenX(url, MiB - 16);
    rows['(b) 1 MiB digits+x: status'] = status(b.post);
    rows['(b) 1 MiB digits+x: request time'] = ms(b.post);
    rows['(b) /api/health during it'] = ms(b.health);
  } finally {
    await stop(child);
  }
  return rows;
}

const killAll = async () => {
  for (const child of running) child.kill('SIGKILL');
};

await compareBuilds('hostile-ingest.mjs', process.argv.slice(2), measure, { stopAll: killAll, sortRows: true });
