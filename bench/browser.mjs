#!/usr/bin/env node
// Browser rendering: what the dashboard costs a browser tab with 24 charts of 3 lines holding an
// hour at 1 s resolution, while points stream in at 1 Hz and at 10 Hz. Debian's Chromium, driven
// through Playwright and the DevTools protocol, against a fresh production server on loopback.
// Bounded: seeding is a fixed number of requests, each phase a fixed number of ticks and seconds.
//
//   npm run build && npm run bench:browser
//   node bench/browser.mjs --smoke            # a few seconds per phase, 4 charts
//   node bench/browser.mjs --seconds 60       # longer phases
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { startPulseboard } from './server.mjs';

const LABELS = ['a', 'b', 'c'];
const HOUR_POINTS = 3_600;
const STEP_MS = 1_000;
const SEED_CONCURRENCY = 4;
const TIMEOUT_MS = 60_000;
const TARGETS = { busy1Hz: 15, longTask1Hz: 50, longTask10Hz: 100, firstLoadGzipKB: 250 };

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const chartName = (i) => `bench_chart_${String(i).padStart(2, '0')}`;

/** Deterministic noise (mulberry32), so every run draws the same waves. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A smooth wave plus noise; each chart and line has its own level, period and phase. */
function valueAt(chart, line, t, noise) {
  const period = 300_000 + chart * 37_000;
  return 50 + chart * 10 + line * 5 + 20 * Math.sin((2 * Math.PI * t) / period + line) + 4 * (noise() - 0.5);
}

async function post(url, points) {
  const res = await fetch(`${url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ points }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST /api/ingest answered ${res.status}: ${text.slice(0, 300)}`);
}

/**
 * Per chart, its three lines share timestamps (as one collector's samples do): the hour goes in
 * two requests of the first and second half-hour of every line (10,800 points would pass
 * INGEST_MAX_POINTS), so no series goes back in time, ending when the chart's first request is
 * built (so its oldest point is within retention).
 */
async function seed(url, charts) {
  let next = 0;
  const worker = async () => {
    while (next < charts) {
      const c = next++;
      const noise = LABELS.map((_, l) => random(c * 16 + l + 1));
      const end = Date.now();
      for (const [from, to] of [[0, HOUR_POINTS / 2], [HOUR_POINTS / 2, HOUR_POINTS]]) {
        const points = [];
        for (let l = 0; l < LABELS.length; l++) {
          for (let i = from; i < to; i++) {
            const t = end - (HOUR_POINTS - 1 - i) * STEP_MS;
            points.push({ name: chartName(c), labels: { s: LABELS[l] }, value: valueAt(c, l, t, noise[l]), timestamp: t });
          }
        }
        await post(url, points);
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  return charts * LABELS.length * HOUR_POINTS;
}

/** Runs in the page before any of its scripts: long tasks, a frame counter, and the first drawn Recharts line. */
function instrumentPage() {
  const bench = { longTasks: [], frames: 0, firstCurveAt: null, points: 0 };
  window.__bench = bench;
  // Counts what the stream delivers, so a phase that measured an idle page shows it.
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(...args) {
      super(...args);
      this.addEventListener('points', (e) => (bench.points += e.data.split('"t":').length - 1));
    }
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const frame = () => {
    bench.frames++;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const drawn = () =>
    [...document.querySelectorAll('.recharts-line-curve')].some((p) => /\d/.test(p.getAttribute('d') ?? ''));
  const watcher = new MutationObserver(() => {
    if (!drawn()) return;
    bench.firstCurveAt = performance.now();
    watcher.disconnect();
  });
  watcher.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['d'] });
}

async function pageMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

function tick(charts, t, noise) {
  const points = [];
  for (let c = 0; c < charts; c++) {
    for (let l = 0; l < LABELS.length; l++) points.push({ name: chartName(c), labels: { s: LABELS[l] }, value: valueAt(c, l, t, noise), timestamp: t });
  }
  return points;
}

/** Sends one tick and waits for the page to receive it: a phase must not measure a page the stream does not reach. */
async function checkStream(url, page, charts) {
  const before = await page.evaluate(() => window.__bench.points);
  await post(url, tick(charts, Date.now(), Math.random));
  await page
    .waitForFunction((n) => window.__bench.points >= n, before + charts * LABELS.length, { timeout: 10_000, polling: 50 })
    .catch(() => {
      throw new Error('the page receives no streamed points (GET /api/stream): nothing to measure');
    });
}

/** Streams one point to every series `hz` times a second for `seconds`, measuring the tab meanwhile. */
async function streamPhase({ url, page, cdp, charts, hz, seconds }) {
  const ticks = Math.round(hz * seconds);
  const interval = 1000 / hz;
  const before = await pageMetrics(cdp);
  const pageBefore = await page.evaluate(() => ({ now: performance.now(), frames: window.__bench.frames, points: window.__bench.points }));
  const started = performance.now();
  let last = 0;
  let sent = 0;
  let late = 0;
  for (let i = 0; i < ticks && performance.now() - started < seconds * 1000 + TIMEOUT_MS; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -interval) late++;
    const t = Math.max(Date.now(), last + 1);
    last = t;
    await post(url, tick(charts, t, Math.random));
    sent++;
  }
  // The window closes one interval after the last tick: its point reached the page and was drawn.
  await sleep(started + sent * interval - performance.now());
  const after = await pageMetrics(cdp);
  const pageAfter = await page.evaluate(
    (from) => ({
      now: performance.now(),
      frames: window.__bench.frames,
      points: window.__bench.points,
      longTasks: window.__bench.longTasks.filter((e) => e.start >= from),
    }),
    pageBefore.now,
  );
  await cdp.send('HeapProfiler.collectGarbage');
  const collected = await pageMetrics(cdp);
  const wall = after.Timestamp - before.Timestamp;
  return {
    hz,
    seconds: (pageAfter.now - pageBefore.now) / 1000,
    requests: sent,
    lateTicks: late,
    pointsSent: sent * charts * LABELS.length,
    pointsReceived: pageAfter.points - pageBefore.points,
    busyPercent: (100 * (after.TaskDuration - before.TaskDuration)) / wall,
    busyMsPerTick: (1000 * (after.TaskDuration - before.TaskDuration)) / Math.max(1, sent),
    scriptPercent: (100 * (after.ScriptDuration - before.ScriptDuration)) / wall,
    layoutPercent: (100 * (after.LayoutDuration + after.RecalcStyleDuration - before.LayoutDuration - before.RecalcStyleDuration)) / wall,
    longTasks: pageAfter.longTasks.length,
    longestTaskMs: Math.max(0, ...pageAfter.longTasks.map((e) => e.duration)),
    fps: (pageAfter.frames - pageBefore.frames) / ((pageAfter.now - pageBefore.now) / 1000),
    heapMB: after.JSHeapUsedSize / 2 ** 20,
    heapAfterGcMB: collected.JSHeapUsedSize / 2 ** 20,
  };
}

/** Self time per function (name + script + position) from a CDP CPU profile, the top `count`, each with its main caller. */
function topSelfTime(profile, count) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const keyOf = (id) => {
    const { functionName, url, lineNumber, columnNumber } = byNode.get(id).callFrame;
    return `${functionName || '(anonymous)'}\t${url}\t${lineNumber}:${columnNumber}`;
  };
  const self = new Map();
  const callers = new Map();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    total += dt;
    if (byNode.get(id).callFrame.functionName === '(idle)') return void (idle += dt);
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + dt);
    const parent = parentOf.has(id) ? keyOf(parentOf.get(id)) : '';
    const byCaller = callers.get(key) ?? new Map();
    callers.set(key, byCaller.set(parent, (byCaller.get(parent) ?? 0) + dt));
  });
  const split = (key) => {
    const [name, url, pos] = key.split('\t');
    const [line, column] = pos.split(':').map(Number);
    return { name, url, line, column };
  };
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => {
      const [caller, callerUs] = [...callers.get(key).entries()].sort((a, b) => b[1] - a[1])[0];
      return { ...split(key), ms: us / 1000, caller: caller ? { ...split(caller), share: callerUs / us } : undefined };
    });
  return { totalMs: total / 1000, busyMs: (total - idle) / 1000, rows };
}

/** A short look at the (minified) source where each function and its caller start, to tell what they are. */
async function annotate(rows) {
  const sources = new Map();
  const at = async (f, length) => {
    if (!f?.url.startsWith('http')) return '';
    if (!sources.has(f.url)) sources.set(f.url, await fetch(f.url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then((r) => r.text()).then((t) => t.split('\n')).catch(() => []));
    return (sources.get(f.url)[f.line] ?? '').slice(f.column, f.column + length).replace(/\s+/g, ' ');
  };
  for (const row of rows) {
    row.source = await at(row, 70);
    if (row.caller) row.caller.source = await at(row.caller, 50);
  }
  return rows;
}

/** Raw and gzipped size of scripts, in KB (1,024 bytes). */
async function scriptSizes(urls) {
  let raw = 0;
  let gzip = 0;
  for (const url of urls) {
    const body = Buffer.from(await (await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })).arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body).length;
  }
  return { scripts: urls.length, rawKB: raw / 1024, gzipKB: gzip / 1024 };
}

/**
 * JavaScript the HTML of `/` asks for: every `<script src="/_next/static/...">`. A `noModule`
 * script (the legacy polyfills) is never fetched by a browser that runs modules, so it is counted apart.
 */
async function firstLoadJs(url) {
  const html = await (await fetch(`${url}/`, { signal: AbortSignal.timeout(TIMEOUT_MS) })).text();
  const tags = [...html.matchAll(/<script[^>]*\ssrc="(\/_next\/static\/[^"]+)"[^>]*>/g)];
  const srcs = (legacy) => [
    ...new Set(tags.filter((m) => /\snomodule\b/i.test(m[0]) === legacy).map((m) => `${url}${m[1].replaceAll('&amp;', '&')}`)),
  ];
  return { ...(await scriptSizes(srcs(false))), noModule: await scriptSizes(srcs(true)) };
}

/** Whether a source the build is made from changed after it, to warn about a stale `.next`. */
function staleBuild() {
  if (!existsSync('.next/BUILD_ID')) return false;
  const built = statSync('.next/BUILD_ID').mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return newer(path);
      return /\.(?:tsx?|css)$/.test(e.name) && !/\.test\.ts$/.test(e.name) && statSync(path).mtimeMs > built;
    });
  return ['app', 'components', 'lib'].some((d) => existsSync(d) && newer(d));
}

/**
 * Seeds a fresh server, opens `/?window=1h` in Chromium and measures first draw, then 1 Hz and
 * 10 Hz streaming for `seconds` each (and, with `profile`, a CPU profile of a further 1 Hz phase).
 * `smoke` is a quick check: 3 s per phase, 4 charts.
 */
export async function runBrowserBench({ smoke = false, seconds = smoke ? 3 : 20, charts = smoke ? 4 : 24, profile = true, log = () => {} } = {}) {
  const loadAverage = os.loadavg();
  const executablePath = process.env.PLAYWRIGHT_CHROMIUM_PATH || '/usr/bin/chromium';
  if (staleBuild()) log('warning: sources are newer than .next/BUILD_ID; run `npm run build` for current figures');
  const buildId = () => (existsSync('.next/BUILD_ID') ? readFileSync('.next/BUILD_ID', 'utf8') : '');
  const builtAs = buildId();
  let server;
  let browser;
  try {
    // Two hours kept: the seeded hour's oldest points stay inside retention however slow seeding is.
    server = await startPulseboard({ COLLECT_INTERVAL: '1h', HISTORY_RETENTION: '2h' });
    const { url } = server;
    log(`server ${url} (pid ${server.pid}); seeding ${charts} charts × ${LABELS.length} lines × ${HOUR_POINTS} points`);
    const seedStart = performance.now();
    const seeded = await seed(url, charts);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    browser = await chromium.launch({ executablePath });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(instrumentPage);
    const page = await context.newPage();
    const loadedScripts = new Set();
    page.on('request', (req) => req.resourceType() === 'script' && loadedScripts.add(req.url()));
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    log('loading /?window=1h');
    const gotoStart = performance.now();
    await page.goto(`${url}/?window=1h`, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    await page.waitForFunction(() => window.__bench.firstCurveAt !== null, null, { timeout: TIMEOUT_MS, polling: 10 });
    const firstChartWallMs = performance.now() - gotoStart;
    const firstChartMs = await page.evaluate(() => window.__bench.firstCurveAt);
    await page.waitForFunction(
      // Charts off screen are drawn when scrolled into view: wait for those on screen.
      (n) => {
        const panels = [...document.querySelectorAll('section.panel')];
        const onScreen = panels.filter((p) => p.getBoundingClientRect().top < window.innerHeight);
        return (
          panels.length === n &&
          onScreen.every((p) => [...p.querySelectorAll('.recharts-line-curve')].filter((c) => /\d/.test(c.getAttribute('d') ?? '')).length === 3) &&
          document.querySelector('[data-status]')?.getAttribute('data-status') === 'live'
        );
      },
      charts,
      { timeout: TIMEOUT_MS, polling: 50 },
    );
    const allChartsMs = await page.evaluate(() => performance.now());
    // Vertices of the drawn lines: what Recharts lays out per line (the snapshot is downsampled).
    const vertices = await page.evaluate(() =>
      [...document.querySelectorAll('.recharts-line-curve')].map((p) => (p.getAttribute('d')?.match(/[ML]/g) ?? []).length),
    );
    await checkStream(url, page, charts);
    await sleep(2_000); // settle: hydration's garbage and late layout out of the measured windows

    log(`streaming at 1 Hz for ${seconds} s`);
    const at1Hz = await streamPhase({ url, page, cdp, charts, hz: 1, seconds });
    log(`streaming at 10 Hz for ${seconds} s`);
    const at10Hz = await streamPhase({ url, page, cdp, charts, hz: 10, seconds });

    let cpuProfile;
    if (profile) {
      log(`profiling another ${seconds} s at 1 Hz`);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
      const profiled = await streamPhase({ url, page, cdp, charts, hz: 1, seconds });
      const { profile: raw } = await cdp.send('Profiler.stop');
      const top = topSelfTime(raw, 15);
      cpuProfile = { busyPercent: profiled.busyPercent, ...top, rows: await annotate(top.rows) };
    }

    return {
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverage,
        chromium: browser.version(),
      },
      charts,
      lines: charts * LABELS.length,
      seeded,
      seedSeconds,
      firstChartMs,
      firstChartWallMs,
      allChartsMs,
      verticesPerLine: { min: Math.min(...vertices), max: Math.max(...vertices) },
      pageErrors,
      rebuiltDuringRun: buildId() !== builtAs,
      firstLoadJs: await firstLoadJs(url),
      scriptsLoaded: await scriptSizes([...loadedScripts].filter((u) => u.startsWith(url))),
      at1Hz,
      at10Hz,
      cpuProfile,
    };
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
  }
}

const n0 = (x) => Math.round(x).toLocaleString('en-US');
const n1 = (x) => x.toFixed(1);
const where = (f) => (f.url ? `${f.url.replace(/^https?:\/\/[^/]+/, '')}:${f.line + 1}:${f.column + 1}` : '(native)');
const code = (text) => (text ? `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\`` : '');
const verdict = (ok) => (ok ? 'ok' : '**missed**');

/** The figures as a markdown table, targets beside them, with machine info and the profile summary. */
export function formatBrowserReport(r) {
  const m = r.machine;
  const out = [
    `\nBrowser rendering: ${r.charts} charts × 3 lines, ${n0(r.seeded)} points seeded (${n1(r.seedSeconds)} s), /?window=1h at 1440×900`,
    `node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), load average before the run ${m.loadAverage.map((x) => x.toFixed(2)).join(' ')}, Chromium ${m.chromium}\n`,
    '| Figure | Measured | Target | |',
    '| --- | ---: | ---: | --- |',
    `| Time to first chart (navigation start → first drawn Recharts line; wall time around goto ${n0(r.firstChartWallMs)} ms) | ${n0(r.firstChartMs)} ms | | |`,
    `| Time to every on-screen chart drawn and stream live | ${n0(r.allChartsMs)} ms | | |`,
    `| First-load JS of \`/\` (${r.firstLoadJs.scripts} scripts), gzip | ${n1(r.firstLoadJs.gzipKB)} KB (raw ${n1(r.firstLoadJs.rawKB)} KB) | ≤ ${TARGETS.firstLoadGzipKB} KB | ${verdict(r.firstLoadJs.gzipKB <= TARGETS.firstLoadGzipKB)} |`,
  ];
  const legacy = r.firstLoadJs.noModule;
  const notes = [
    `First-load JS: KB are 1,024 bytes, gzip level 6.${legacy.scripts ? ` Not counted: ${legacy.scripts} noModule script(s) (legacy polyfills, never fetched by a module-capable browser), ${n1(legacy.gzipKB)} KB gzip (raw ${n1(legacy.rawKB)} KB).` : ''} Scripts Chromium actually fetched by the end: ${r.scriptsLoaded.scripts}, ${n1(r.scriptsLoaded.gzipKB)} KB gzip (raw ${n1(r.scriptsLoaded.rawKB)} KB).`,
  ];
  for (const p of [r.at1Hz, r.at10Hz]) {
    const busyTarget = p.hz === 1 ? TARGETS.busy1Hz : undefined;
    const taskTarget = p.hz === 1 ? TARGETS.longTask1Hz : TARGETS.longTask10Hz;
    out.push(
      `| ${p.hz} Hz: main-thread busy (script ${n1(p.scriptPercent)} %, style+layout ${n1(p.layoutPercent)} %) | ${n1(p.busyPercent)} % | ${busyTarget ? `≤ ${busyTarget} %` : ''} | ${busyTarget ? verdict(p.busyPercent <= busyTarget) : ''} |`,
      `| ${p.hz} Hz: long tasks (> 50 ms) | ${p.longTasks} | | |`,
      `| ${p.hz} Hz: longest task | ${n0(p.longestTaskMs)} ms | none > ${taskTarget} ms | ${verdict(p.longestTaskMs <= taskTarget)} |`,
      `| ${p.hz} Hz: frame rate | ${n1(p.fps)} fps | | |`,
      `| ${p.hz} Hz: JS heap used at end (after a forced GC) | ${n1(p.heapMB)} MB (${n1(p.heapAfterGcMB)} MB) | | |`,
    );
  }
  notes.push(
    `Each drawn line had ${r.verticesPerLine.min}–${r.verticesPerLine.max} vertices once loaded (the server's snapshot is downsampled; streamed points are appended).`,
  );
  out.push('', ...notes);
  for (const p of [r.at1Hz, r.at10Hz]) {
    out.push(
      `${p.hz} Hz: ${p.requests} requests of ${r.lines} points over ${n1(p.seconds)} s${p.lateTicks ? `, ${p.lateTicks} ticks late` : ''}, ${n0(p.busyMsPerTick)} ms of main-thread work per tick; the page received ${n0(p.pointsReceived)} of the ${n0(p.pointsSent)} points sent${p.pointsReceived < 0.95 * p.pointsSent ? ' — **incomplete: figures understate the cost**' : ''}`,
    );
  }
  if (r.rebuiltDuringRun) out.push('\n**.next was rebuilt during the run: the server under test may have misbehaved; run again.**');
  if (r.pageErrors.length > 0) out.push(`\npage errors: ${r.pageErrors.slice(0, 5).join(' | ')}`);
  if (r.cpuProfile) {
    const c = r.cpuProfile;
    out.push(
      `\nCPU profile of a further 1 Hz phase (busy ${n1(c.busyPercent)} % under the profiler; ${n0(c.busyMs)} ms of ${n0(c.totalMs)} ms sampled not idle), top self time:\n`,
      '| self ms | share of busy | function | where | source there | main caller (share of this self time) |',
      '| ---: | ---: | --- | --- | --- | --- |',
      ...c.rows.map(
        (row) =>
          `| ${n1(row.ms)} | ${n1((100 * row.ms) / c.busyMs)} % | \`${row.name}\` | ${where(row)} | ${code(row.source)} | ${row.caller ? `\`${row.caller.name}\` ${where(row.caller)} ${code(row.caller.source)} (${n0(100 * row.caller.share)} %)` : ''} |`,
      ),
    );
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  const secondsArg = process.argv.indexOf('--seconds');
  const seconds = secondsArg > -1 ? Number(process.argv[secondsArg + 1]) : smoke ? 3 : 20;
  if (!(seconds > 0 && seconds <= 600)) throw new Error('--seconds must be between 0 and 600');
  const result = await runBrowserBench({ smoke, seconds, log: (msg) => console.error(`[bench] ${msg}`) });
  console.log(formatBrowserReport(result));
}
