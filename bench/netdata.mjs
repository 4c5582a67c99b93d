#!/usr/bin/env node
// What a dashboard tab costs, Pulseboard's beside Netdata's, in one run on one machine: both open
// alternately in the same headless Chromium at 1440×900, each for a fixed number of seconds per
// turn, every request leaving 127.0.0.1 blocked. Pulseboard shows its default dashboard (the
// host collector at 1 s) plus pushed charts of 3 lines with a full 5-minute window (5 min of 1 s
// history seeded, then a point a second), as Netdata's charts hold its last minutes at 1 s.
// Netdata is Debian's package (`apt-get install -y netdata`), started here on a free loopback
// port with its database in memory and its own files in a temporary directory.
//
//   npm run build && npm run bench:netdata                   # 2 turns × 60 s each
//   node bench/netdata.mjs --seconds 30 --turns 2 --charts 6 --warmup 120   # seconds on Netdata, unmeasured, first
//
// Then one Pulseboard panel alone of 50 lines and one of 3 (`/?q=<metric>`), alternately: what a
// line costs.
//
// Busy is main-thread task time over wall time (CDP Performance.getMetrics), per visible chart
// the busy divided by the charts whose box is inside the viewport. Figures only: nothing here
// asserts a time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { freePort, startPulseboard } from './server.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > -1 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('--seconds', 60);
const TURNS = arg('--turns', 2);
const CHARTS = arg('--charts', 6);
const SETTLE_MS = 8_000;
const WARMUP_MS = arg('--warmup', 120) * 1000;
const TIMEOUT_MS = 60_000;
const LINES = ['a', 'b', 'c'];
for (const [name, v, max] of [['--seconds', SECONDS, 600], ['--turns', TURNS, 10], ['--charts', CHARTS, 48], ['--warmup', WARMUP_MS / 1000, 600]]) {
  if (!(Number.isInteger(v) && v > 0 && v <= max)) throw new Error(`${name} must be a whole number from 1 to ${max}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const log = (line) => console.error(`[bench:netdata ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Netdata on a free loopback port, its database in memory, everything it writes in a temporary directory. */
async function startNetdata() {
  const binary = ['/usr/sbin/netdata', '/usr/bin/netdata'].find((p) => existsSync(p));
  if (!binary) throw new Error('netdata is not installed: apt-get install -y netdata (the side-by-side peer of this benchmark)');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulseboard-bench-netdata-'));
  for (const sub of ['cache', 'lib', 'log']) mkdirSync(path.join(dir, sub));
  const conf = path.join(dir, 'netdata.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      `    run as user = ${os.userInfo().username}`,
      '    hostname = bench',
      '    update every = 1',
      '[directories]',
      `    cache = ${dir}/cache`,
      `    lib = ${dir}/lib`,
      `    log = ${dir}/log`,
      '[logs]',
      `    error = ${dir}/error.log`,
      '    access = none',
      '[db]',
      '    mode = ram',
      '[web]',
      `    bind to = 127.0.0.1:${port}`,
      '[ml]',
      '    enabled = no',
      '[health]',
      '    enabled = no',
      '[registry]',
      '    enabled = no',
      '[cloud]',
      '    enabled = no',
      '',
    ].join('\n'),
  );
  // -D: in the foreground, so it is this process' child and stops with it.
  const child = spawn(binary, ['-c', conf, '-D'], { stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`netdata exited (${child.exitCode}); see ${dir}/error.log`);
    try {
      const res = await fetch(`${url}/api/v1/info`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('netdata did not answer on its port within 30 s');
    await sleep(200);
  }
  return {
    url,
    stop: () => {
      // Its plugins are its children: the whole group goes.
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      spawnSync('sleep', ['1']);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function post(url, points) {
  const res = await fetch(`${url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points }), signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 202) throw new Error(`POST /api/ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/** One panel of 50 lines and one of 3, for the cost of a line: every series a point a second. */
const WIDE = Array.from({ length: 50 }, (_, i) => `pod-${String(i).padStart(2, '0')}`);
const panels = (t) => [
  ...WIDE.map((pod, i) => ({ name: 'bench_wide', labels: { pod }, value: 100 + i * 3 + 10 * Math.sin(t / 20_000 + i), timestamp: t })),
  ...LINES.map((s, i) => ({ name: 'bench_narrow', labels: { s }, value: 100 + i * 3 + 10 * Math.sin(t / 20_000 + i), timestamp: t })),
];

const valueAt = (c, l, t) => 50 + c * 10 + l * 5 + 20 * Math.sin((2 * Math.PI * t) / (300_000 + c * 37_000) + l) + 4 * (Math.random() - 0.5);
const tick = (t) => Array.from({ length: CHARTS }, (_, c) => LINES.map((s, l) => ({ name: `bench_chart_${c}`, labels: { s }, value: valueAt(c, l, t), timestamp: t }))).flat();

/** Runs in every page before its scripts: DOM mutation records and long tasks, counted. */
function instrument() {
  const bench = { mutations: 0, longTasks: [] };
  window.__bench = bench;
  new MutationObserver((records) => (bench.mutations += records.length)).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

/** Charts whose box is inside the viewport: Pulseboard's panels, Netdata's chart elements. */
function visibleCharts(selector) {
  return [...document.querySelectorAll(selector)].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 50 && r.height > 50 && r.bottom > 0 && r.top < window.innerHeight;
  }).length;
}

const metrics = async (cdp) => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

async function measure(context, target) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(target.page, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await sleep(SETTLE_MS);
  const charts = await page.evaluate(visibleCharts, target.charts);
  const before = await metrics(cdp);
  const start = await page.evaluate(() => ({ mutations: window.__bench.mutations, longTasks: window.__bench.longTasks.length }));
  await sleep(SECONDS * 1000);
  const after = await metrics(cdp);
  const end = await page.evaluate(() => ({ mutations: window.__bench.mutations, longTasks: window.__bench.longTasks }));
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await metrics(cdp)).JSHeapUsedSize;
  await page.close();
  const wall = after.Timestamp - before.Timestamp;
  const busy = (100 * (after.TaskDuration - before.TaskDuration)) / wall;
  const newTasks = end.longTasks.slice(start.longTasks);
  return {
    name: target.name,
    charts,
    busy,
    perChart: charts > 0 ? busy / charts : NaN,
    script: (100 * (after.ScriptDuration - before.ScriptDuration)) / wall,
    layout: (100 * (after.LayoutDuration + after.RecalcStyleDuration - before.LayoutDuration - before.RecalcStyleDuration)) / wall,
    mutationsPerMinute: ((end.mutations - start.mutations) * 60) / wall,
    longTasks: newTasks.length,
    longestTask: Math.max(0, ...newTasks),
    heapMB: heap / 2 ** 20,
  };
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const n0 = (x) => Math.round(x).toLocaleString('en-US');

async function main() {
  const executablePath = process.env.PLAYWRIGHT_CHROMIUM_PATH || '/usr/bin/chromium';
  let netdata;
  let pulseboard;
  let browser;
  let pushing = false;
  try {
    netdata = await startNetdata();
    pulseboard = await startPulseboard({ COLLECT_INTERVAL: '1s' });
    log(`netdata ${netdata.url}, pulseboard ${pulseboard.url}; seeding ${CHARTS} charts × 3 lines × 300 points`);
    const now = Date.now();
    const seed = [];
    for (let i = 300; i >= 1; i--) seed.push(...tick(now - i * 1000), ...panels(now - i * 1000));
    for (let i = 0; i < seed.length; i += 5_000) await post(pulseboard.url, seed.slice(i, i + 5_000));
    pushing = true;
    const pusher = (async () => {
      let next = Date.now();
      while (pushing) {
        next += 1000;
        const t = Date.now();
        await post(pulseboard.url, [...tick(t), ...panels(t)]).catch((err) => log(`push failed: ${err.message}`));
        await sleep(next - Date.now());
      }
    })();
    browser = await chromium.launch({ executablePath });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(instrument);
    // Nothing leaves the machine: a dashboard reaching for a CDN, a registry or a cloud gets nothing.
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/]).*/, (route) => route.abort());
    const targets = [
      { name: 'Netdata', page: `${netdata.url}/#after=-300;before=0;update_always=true`, charts: '[data-netdata]' },
      { name: 'Pulseboard', page: `${pulseboard.url}/`, charts: 'section.panel' },
    ];
    // A first visit, unmeasured: Netdata's dashboard draws nothing on the first load of a fresh
    // browser (it sets itself up, and its freshly started collectors have little to show).
    log('warming up: one visit to each, not measured');
    for (const target of targets) {
      const page = await context.newPage();
      await page.goto(target.page, { waitUntil: 'load', timeout: TIMEOUT_MS });
      // Netdata's dashboard reaches its steady rate of drawing only once its collectors, started
      // with the bench, have a few minutes to show (a first turn after 30 s drew a third as much).
      await sleep(target.name === 'Netdata' ? WARMUP_MS : SETTLE_MS);
      await page.close();
    }
    const rows = [];
    for (let turn = 1; turn <= TURNS; turn++) {
      for (const target of turn % 2 ? targets : [...targets].reverse()) {
        log(`turn ${turn}: ${target.name} for ${SECONDS} s`);
        rows.push({ turn, ...(await measure(context, target)) });
      }
    }
    // One panel alone, of 50 lines and of 3 (the filter shows only its metric).
    const alone = [
      { name: '50 lines', page: `${pulseboard.url}/?q=bench_wide`, charts: 'section.panel' },
      { name: '3 lines', page: `${pulseboard.url}/?q=bench_narrow`, charts: 'section.panel' },
    ];
    const single = [];
    for (let turn = 1; turn <= TURNS; turn++) {
      for (const target of turn % 2 ? alone : [...alone].reverse()) {
        log(`turn ${turn}: one panel of ${target.name} for ${SECONDS} s`);
        single.push({ turn, ...(await measure(context, target)) });
      }
    }
    pushing = false;
    await pusher;
    // A turn in which a dashboard changed nothing on the page measured an idle page, not a live one.
    const live = (r) => r.mutationsPerMinute > 0;
    const mean = (name, key) => {
      const xs = rows.filter((r) => r.name === name && live(r)).map((r) => r[key]);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    console.log(`\nA dashboard tab, side by side: ${TURNS} turns of ${SECONDS} s each, alternating, headless Chromium ${browser.version()} at 1440×900, ${os.cpus().length} CPUs, Node ${process.version}; Pulseboard: its default dashboard with ${CHARTS} pushed charts × 3 lines (5 min at 1 s, a point a second)\n`);
    console.log('| turn | dashboard | charts visible | busy | busy per chart | script | style+layout | DOM mutations a minute | long tasks | longest | JS heap after GC |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(`| ${r.turn} | ${r.name}${live(r) ? '' : ' (drew nothing: left out of the means)'} | ${r.charts} | ${f1(r.busy)} % | ${f2(r.perChart)} % | ${f1(r.script)} % | ${f1(r.layout)} % | ${n0(r.mutationsPerMinute)} | ${r.longTasks} | ${n0(r.longestTask)} ms | ${f1(r.heapMB)} MB |`);
    }
    console.log('\nOne Pulseboard panel alone (`/?q=<metric>`), a point a second to each line:\n');
    console.log('| turn | panel | charts visible | busy | script | DOM mutations a minute | longest task |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of single) console.log(`| ${r.turn} | ${r.name} | ${r.charts} | ${f1(r.busy)} % | ${f1(r.script)} % | ${n0(r.mutationsPerMinute)} | ${n0(r.longestTask)} ms |`);
    const busyOf = (name) => single.filter((r) => r.name === name).reduce((a, r) => a + r.busy, 0) / TURNS;
    console.log(`\nA 50-line panel costs **${f2(busyOf('50 lines') / busyOf('3 lines'))}×** a 3-line one (goal ≤ 2×).`);
    const ratio = mean('Pulseboard', 'perChart') / mean('Netdata', 'perChart');
    console.log(`\nBusy per visible chart, mean of the turns: Pulseboard ${f2(mean('Pulseboard', 'perChart'))} %, Netdata ${f2(mean('Netdata', 'perChart'))} %: **${f2(ratio)}×** Netdata's (goal ≤ 1×).`);
  } finally {
    pushing = false;
    await browser?.close().catch(() => {});
    await pulseboard?.stop();
    netdata?.stop();
  }
}

await main();
