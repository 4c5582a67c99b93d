#!/usr/bin/env node
// Hostile filters and a large CSV export against one or more production builds, side by side:
//
//   node bench/hostile-filter.mjs --dir /work/wt-base --dir .
//   node bench/hostile-filter.mjs --dir /work/wt-base --dir . --only series   # one part: pages, series, sigterm, csv
//
// For each checkout (it needs `.next/BUILD_ID`): with one 3-label metric held, how long
// `GET /metrics?q=*****!`, `?q=******!` and `/?q=******!` take (60 s client timeout) and how slow
// /api/health answers meanwhile; with 9,900 series of ~100-character keys held, the review's
// `GET /api/series?series=*x?0*,…,*x?63*` and a realistic filter of 64 globs: status, time, server
// CPU and the slowest /api/health (asked every 25 ms) meanwhile; then the CSV export of a
// 7,200-point × 50-series metric: time to first byte, total time, and server RSS growth for a fast
// reader and for one that pauses after the first chunk. Every scenario gets a fresh server,
// stopped with SIGTERM and, when stuck, SIGKILL. Loopback only; every loop is bounded in count
// and time.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds, startServer } from './server.mjs';

const args = process.argv.slice(2);
const dirs = args.flatMap((a, i) => (a === '--dir' && args[i + 1] ? [path.resolve(args[i + 1])] : []));
const PARTS = ['pages', 'series', 'sigterm', 'csv'];
const only = args.flatMap((a, i) => (a === '--only' && args[i + 1] ? [args[i + 1]] : []));
if (dirs.length === 0 || only.some((p) => !PARTS.includes(p))) {
  console.error(`usage: node bench/hostile-filter.mjs --dir <checkout with a production build> [--dir …] [--only ${PARTS.join('|')} …]`);
  process.exit(2);
}
const runs = (part) => only.length === 0 || only.includes(part);
for (const dir of dirs) if (!existsSync(path.join(dir, '.next/BUILD_ID'))) throw new Error(`no production build in ${dir}`);

const CLIENT_TIMEOUT_MS = 60_000;
const HEALTH_EVERY_MS = 100;
const STOP_GRACE_MS = 10_000;
const SERIES = 50;
const POINTS = 7_200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** RSS in KB of a process and its descendants (a server may run in a child of `next start`). */
function treeRssKb(pid, depth = 0) {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    if (depth < 4) {
      for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean)) kb += treeRssKb(Number(task), depth + 1);
    }
  } catch {
    // the process ended
  }
  return kb;
}

async function post(url, points) {
  const res = await fetch(`${url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ points }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** Milliseconds `fn` took, or Infinity when it hit the client timeout. */
async function timed(fn) {
  const started = performance.now();
  try {
    await fn(AbortSignal.timeout(CLIENT_TIMEOUT_MS));
    return performance.now() - started;
  } catch (err) {
    if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') return Infinity;
    throw err;
  }
}

/**
 * Runs `fn` while /api/health is asked every `everyMs`. The slowest answer in ms; `cut` when that
 * one had not answered yet when `fn` ended (or when it timed out).
 */
async function healthDuring(url, fn, everyMs = HEALTH_EVERY_MS) {
  const stop = new AbortController();
  let worst = 0;
  let cut = false;
  let finished = false;
  const sampler = (async () => {
    for (let i = 0; !finished && i < CLIENT_TIMEOUT_MS / everyMs + 10; i++) {
      const started = performance.now();
      let answered = true;
      try {
        await (await fetch(`${url}/api/health`, { signal: AbortSignal.any([stop.signal, AbortSignal.timeout(CLIENT_TIMEOUT_MS)]) })).text();
      } catch {
        answered = false;
      }
      const ms = performance.now() - started;
      if (ms > worst) [worst, cut] = [ms, !answered];
      await sleep(everyMs);
    }
  })();
  let result;
  try {
    result = await fn();
  } finally {
    // A probe still waiting gets a moment to answer (the server is free again), then is cut.
    finished = true;
    await Promise.race([sampler, sleep(2_000)]);
    stop.abort();
    await sampler;
  }
  return { result, worstHealth: worst, healthCut: cut };
}

/** A fresh server from `dir` for `fn`, stopped afterwards: SIGTERM, then SIGKILL if it is stuck. */
async function onFresh(dir, fn) {
  const server = await startServer('pulseboard', { cwd: dir, env: { INSTANCE: 'bench', REDIS_URL: '' } });
  try {
    return { ...(await fn(server)), ...(await server.stop(STOP_GRACE_MS)) };
  } catch (err) {
    await server.stop(STOP_GRACE_MS);
    throw err;
  }
}

const REQUESTS = ['/metrics?q=*****!', '/metrics?q=******!', '/?q=******!'];

/** One 3-label metric held, and the pages loaded once so nothing measured includes a first load. */
async function prepare(url) {
  await post(url, [{ name: 'bench_requests_total', labels: { method: 'GET', route: '/api/items', status: '200' }, value: 1 }]);
  for (const warm of ['/', '/metrics', '/metrics?q=bench']) await timed((signal) => fetch(`${url}${warm}`, { signal }).then((r) => r.text()));
}

async function hostile(dir, request) {
  return onFresh(dir, async ({ url }) => {
    await prepare(url);
    let status;
    const { result: ms, worstHealth, healthCut } = await healthDuring(url, () =>
      timed((signal) => fetch(`${url}${request}`, { signal }).then(async (r) => ((status = r.status), await r.text()))),
    );
    return { ms, worstHealth, healthCut, status };
  });
}

/** How long the server takes to exit on SIGTERM sent 1 s into `request` (SIGKILL after the grace). */
async function stopDuring(dir, request) {
  const server = await startServer('pulseboard', { cwd: dir, env: { INSTANCE: 'bench', REDIS_URL: '' } });
  let pending;
  try {
    await prepare(server.url);
    pending = fetch(`${server.url}${request}`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }).then((r) => r.text()).catch(() => undefined);
    await sleep(1_000);
  } catch (err) {
    await server.stop(STOP_GRACE_MS);
    throw err;
  }
  const started = performance.now();
  const { killed } = await server.stop(STOP_GRACE_MS);
  const ms = performance.now() - started;
  await pending;
  return { ms, killed };
}

// The review's store: 9,900 series of ~100-character keys (each holds an `x`, as real keys often do).
const HELD = 9_900;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const pad4 = (i) => String(i).padStart(4, '0');
const heldLabels = (i) => ({ instance: `web-${String(i % 40).padStart(2, '0')}.example.io`, method: METHODS[i % 4], route: `/api/items/${pad4(i)}`, status: String(200 + (i % 5)) });
const FILTERS = [
  ['review: 64 globs *x?0*,…,*x?63*', Array.from({ length: 64 }, (_, i) => `*x?${i}*`).join(',')],
  ['realistic: 64 globs of one route each', Array.from({ length: 64 }, (_, i) => `http_requests_total{*route="/api/items/${pad4(i * 150)}"*`).join(',')],
  // As many of the review's globs as QUERY_MAX_WORK's default allows here, each a full Shift-And pass.
  ['near the limit: 13 globs *x?0*,…,*x?c*', [...'0123456789abc'].map((c) => `*x?${c}*`).join(',')],
];
const FILTER_REPEATS = 5;

/** With HELD series held, each of FILTERS on `/api/series` FILTER_REPEATS times: the slowest time, the server CPU per request, the slowest /api/health. */
async function seriesFilters(dir) {
  return onFresh(dir, async ({ url, pid }) => {
    for (let from = 0; from < HELD; from += 5_000) {
      await post(url, Array.from({ length: Math.min(5_000, HELD - from) }, (_, j) => ({ name: 'http_requests_total', labels: heldLabels(from + j), value: from + j })));
    }
    await timed((signal) => fetch(`${url}/api/series?series=none`, { signal }).then((r) => r.text())); // warm the route
    const out = [];
    for (const [label, series] of FILTERS) {
      await sleep(500);
      let status;
      let matched;
      let slowest = 0;
      const cpu = cpuSeconds(pid);
      const { worstHealth, healthCut } = await healthDuring(
        url,
        async () => {
          for (let i = 0; i < FILTER_REPEATS; i++) {
            slowest = Math.max(slowest, await timed((signal) => fetch(`${url}/api/series?series=${encodeURIComponent(series)}`, { signal }).then(async (r) => {
              status = r.status;
              const body = await r.json();
              matched = body.series?.length;
            })));
          }
        },
        25,
      );
      out.push({ label, status, matched, ms: slowest, cpuMs: ((cpuSeconds(pid) - cpu) * 1_000) / FILTER_REPEATS, worstHealth, healthCut });
    }
    return { filters: out };
  });
}

async function exportCsv(dir) {
  return onFresh(dir, async ({ url, pid }) => {
    const name = 'bench_export_bytes';
    const start = Date.now() - 3_000_000;
    for (let i = 0; i < POINTS; i += 5_000 / SERIES) {
      const points = [];
      for (let j = i; j < Math.min(POINTS, i + 5_000 / SERIES); j++) {
        for (let s = 0; s < SERIES; s++) points.push({ name, labels: { series: String(s).padStart(2, '0') }, value: j * 0.001 + s, timestamp: start + j * 400 });
      }
      await post(url, points);
    }
    await timed((signal) => fetch(`${url}/api/export?metric=no_such_metric`, { signal }).then((r) => r.text())); // warm the route
    const measure = async (pauseMs) => {
      await sleep(1_000);
      const before = treeRssKb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, treeRssKb(pid))), 20);
      const started = performance.now();
      let firstByteMs = Infinity;
      let bytes = 0;
      let pause;
      try {
        const res = await fetch(`${url}/api/export?metric=${name}`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
        const reader = res.body.getReader();
        for (let r = await reader.read(), n = 0; !r.done && n < 1e7; r = await reader.read(), n++) {
          if (bytes === 0) {
            firstByteMs = performance.now() - started;
            if (pauseMs > 0) {
              const cpu = cpuSeconds(pid);
              await sleep(pauseMs);
              pause = { rssGrowthMb: (peak - before) / 1024, cpuSeconds: cpuSeconds(pid) - cpu };
            }
          }
          bytes += r.value.length;
        }
        return { firstByteMs, totalMs: performance.now() - started, bytes, chunked: res.headers.get('transfer-encoding') === 'chunked', rssGrowthMb: (peak - before) / 1024, pause };
      } finally {
        clearInterval(sampler);
        peak = Math.max(peak, treeRssKb(pid));
      }
    };
    const fast = await measure(0);
    const slow = await measure(2_000);
    return { fast, slow };
  });
}

const fmtMs = (ms) => (ms === Infinity ? '> 60 s' : ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtHealth = (h) => `${h.healthCut ? '> ' : ''}${fmtMs(h.worstHealth)}${h.healthCut ? ' (no answer)' : ''}`;
const rows = [];
const LABEL = 50;
const results = [];
for (const dir of dirs) {
  console.error(`[bench] ${dir}`);
  const r = { dir, hostile: [] };
  if (runs('pages')) {
    for (const request of REQUESTS) {
      const h = await hostile(dir, request);
      console.error(`  ${request}: ${fmtMs(h.ms)} (status ${h.status ?? '–'}), /api/health worst ${fmtHealth(h)}, ${h.killed ? 'needed SIGKILL' : 'stopped on SIGTERM'}`);
      r.hostile.push({ request, ...h });
    }
  }
  if (runs('series')) {
    r.filters = (await seriesFilters(dir)).filters;
    for (const f of r.filters) console.error(`  /api/series ${f.label}: ${fmtMs(f.ms)} (status ${f.status ?? '–'}), ${f.cpuMs.toFixed(0)} ms CPU, /api/health worst ${fmtHealth(f)}`);
  }
  if (runs('sigterm')) {
    r.sigterm = await stopDuring(dir, '/?q=******!');
    console.error(`  SIGTERM 1 s into /?q=******!: ${r.sigterm.killed ? 'needed SIGKILL' : 'exited'} after ${fmtMs(r.sigterm.ms)}`);
  }
  if (runs('csv')) {
    r.csv = await exportCsv(dir);
    console.error(`  CSV: ${JSON.stringify(r.csv)}`);
  }
  results.push(r);
}

const col = (f) => results.map((r) => f(r).padEnd(24)).join('');
rows.push(`${''.padEnd(LABEL)}${col((r) => path.basename(r.dir))}`);
if (runs('pages')) {
  REQUESTS.forEach((request, i) => {
    rows.push(`${`GET ${request}`.padEnd(LABEL)}${col((r) => `${fmtMs(r.hostile[i].ms)} (${r.hostile[i].status ?? 'no answer'})`)}`);
    rows.push(`${'  /api/health, slowest answer meanwhile'.padEnd(LABEL)}${col((r) => fmtHealth(r.hostile[i]))}`);
  });
}
if (runs('series')) {
  rows.push(`With ${HELD.toLocaleString('en-US')} series of ~100-character keys, GET /api/series (slowest of ${FILTER_REPEATS}):`);
  FILTERS.forEach(([label], i) => {
    rows.push(`${`  ${label}`.padEnd(LABEL)}${col((r) => `${fmtMs(r.filters[i].ms)} (${r.filters[i].status ?? 'no answer'}${r.filters[i].matched === undefined ? '' : `, ${r.filters[i].matched} series`})`)}`);
    rows.push(`${'    server CPU per request'.padEnd(LABEL)}${col((r) => `${r.filters[i].cpuMs.toFixed(0)} ms`)}`);
    rows.push(`${'    /api/health (every 25 ms), slowest answer'.padEnd(LABEL)}${col((r) => fmtHealth(r.filters[i]))}`);
  });
}
if (runs('sigterm')) {
  rows.push(`${'SIGTERM 1 s into GET /?q=******!'.padEnd(LABEL)}${col((r) => (r.sigterm.killed ? `SIGKILL after ${fmtMs(r.sigterm.ms)}` : `exited in ${fmtMs(r.sigterm.ms)}`))}`);
}
if (runs('csv')) {
  const mb = (n) => `${n.toFixed(1)} MB`;
  rows.push(`${`CSV export, ${POINTS.toLocaleString('en-US')} points × ${SERIES} series`.padEnd(LABEL)}${col((r) => `${(r.csv.fast.bytes / 1e6).toFixed(1)} MB, ${r.csv.fast.chunked ? 'chunked' : 'one body'}`)}`);
  rows.push(`${'  time to first byte'.padEnd(LABEL)}${col((r) => fmtMs(r.csv.fast.firstByteMs))}`);
  rows.push(`${'  total'.padEnd(LABEL)}${col((r) => fmtMs(r.csv.fast.totalMs))}`);
  rows.push(`${'  server RSS growth, reading at once'.padEnd(LABEL)}${col((r) => mb(r.csv.fast.rssGrowthMb))}`);
  rows.push('  reader pausing 2 s after the 1st chunk:');
  rows.push(`${'    server RSS growth by the end of the pause'.padEnd(LABEL)}${col((r) => mb(r.csv.slow.pause.rssGrowthMb))}`);
  rows.push(`${'    server CPU during the pause'.padEnd(LABEL)}${col((r) => `${r.csv.slow.pause.cpuSeconds.toFixed(2)} s`)}`);
  rows.push(`${'    server RSS growth, whole download'.padEnd(LABEL)}${col((r) => mb(r.csv.slow.rssGrowthMb))}`);
}
console.log(rows.join('\n'));
