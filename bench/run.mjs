#!/usr/bin/env node
// `npm run bench`: Pulseboard against the floor (bench/floor.mjs), side by side in one run, so the
// results are ratios rather than absolute times that drift with the machine. Writes the table to
// docs/benchmarks.md. Needs a production build (`npm run build`).
//
//   npm run bench                    # scenarios (a)–(e) and the browser rendering bench, a few minutes
//   npm run bench -- --smoke         # seconds: checks the harness runs and delivers (used by npm test)
//   npm run bench -- --node PATH     # run the servers under another Node binary
//   npm run bench -- --soak 600      # 10,000 idle streams held for 600 s, RSS sampled
//   npm run bench -- --only redis    # (a) and (c): one instance, and two sharing one Redis (needs redis-server)
//   npm run bench:storage            # history on disk: ingest with and without DATA_DIR, bytes, queries, start-up
//   npm run bench:alerts             # the alert evaluator: 1,000 rules over 10,000 series against no rules
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runAlertsBench } from './alerts.mjs';
import { formatBrowserReport, runBrowserBench } from './browser.mjs';
import { runCollectBench } from './collect.mjs';
import { runScenario } from './load.mjs';
import { rssKb, startRedisCluster, startServer } from './server.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const node = option('--node') ?? process.execPath;
const nodeVersion = execFileSync(node, ['--version']).toString().trim();
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

const SCENARIOS = [
  { id: 'a', title: '(a) 100 clients, 100 points/s, batch 1', clients: 100, rate: 100, batch: 1, seconds: 10 },
  { id: 'b', title: '(b) 1,000 clients, 20 points/s, batch 1', clients: 1000, rate: 20, batch: 1, seconds: 10 },
  { id: 'c', title: '(c) 1,000 clients, 200 points/s, batch 10', clients: 1000, rate: 200, batch: 10, seconds: 10 },
  { id: 'd', title: '(d) 5,000 idle clients', clients: 5000, rate: 0, batch: 1, seconds: 0, settleMs: 5000 },
];
const SEARCH_RATES = [200, 400, 800, 1600, 3200, 6400];

async function onFresh(kind, fn) {
  const server = kind === 'redis' ? await startRedisCluster({ instances: 2, node }) : await startServer(kind, { node, env: { INSTANCE: 'bench' } });
  try {
    // Warm-up: compile routes and JIT before measuring.
    await runScenario(server, { clients: 10, rate: 200, batch: 10, seconds: 1, settleMs: 200 });
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const passes = (r) => r.delivery >= 1 && r.latencyP99 < 100;

async function search(kind) {
  let best;
  for (const rate of SEARCH_RATES) {
    const r = await onFresh(kind, (s) => runScenario(s, { clients: 1000, rate, batch: 10, seconds: 5 }));
    console.error(`  (e) ${kind} ${rate} points/s: delivery ${fmt(r.delivery * 100, 1)} %, p99 ${fmt(r.latencyP99)} ms`);
    if (!passes(r)) break;
    best = r;
  }
  return best;
}

// Scale-out scenarios: one instance against two instances sharing one Redis, clients and ingest
// spread over both. On one 2-core machine this measures what Redis costs, not what it scales to.
const REDIS_SCENARIOS = [
  { id: 'ra', title: '(a) 100 clients, 100 points/s, batch 1', clients: 100, rate: 100, batch: 1, seconds: 10 },
  { id: 'rc', title: '(c) 1,000 clients, 200 points/s, batch 10', clients: 1000, rate: 200, batch: 10, seconds: 10 },
];

function row(label, floor, pulse, pick, digits = 0, ratio = true) {
  const f = floor ? pick(floor) : NaN;
  const p = pulse ? pick(pulse) : NaN;
  return `| ${label} | ${fmt(f, digits)} | ${fmt(p, digits)} | ${ratio && f ? `${fmt(p / f, 2)}×` : ''} |`;
}

function table(title, floor, pulse, columns = ['floor', 'Pulseboard']) {
  const lines = [`### ${title}`, '', `| | ${columns[0]} | ${columns[1]} | ratio |`, '| --- | ---: | ---: | ---: |'];
  if (pulse?.rate > 0) {
    lines.push(
      row('delivered points/s', floor, pulse, (r) => r.deliveredPerSecond),
      row('delivery ratio %', floor, pulse, (r) => r.delivery * 100, 2, false),
      row('latency p50 ms', floor, pulse, (r) => r.latencyP50),
      row('latency p90 ms', floor, pulse, (r) => r.latencyP90),
      row('latency p99 ms', floor, pulse, (r) => r.latencyP99),
      row('latency max ms', floor, pulse, (r) => r.latencyMax),
      row('server CPU µs per delivered point', floor, pulse, (r) => r.serverCpuUsPerPoint, 2),
      row('server CPU %', floor, pulse, (r) => r.serverCpuPercent),
    );
  }
  lines.push(
    row('server RSS before, MB', floor, pulse, (r) => r.rssBeforeKb / 1024, 1),
    row(`server RSS with ${fmt(pulse?.clients ?? 0)} streams, MB`, floor, pulse, (r) => r.rssIdleKb / 1024, 1),
    row('server RSS at end, MB', floor, pulse, (r) => r.rssEndKb / 1024, 1),
    row('KB of RSS per stream', floor, pulse, (r) => r.kbPerStream, 1),
    row('connection setup p50 ms', floor, pulse, (r) => r.setupP50, 1),
    row('connection setup p99 ms', floor, pulse, (r) => r.setupP99, 1),
    row('bench client CPU s', floor, pulse, (r) => r.clientCpuSeconds, 1, false),
    '',
  );
  return lines.join('\n');
}

function header() {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  const cpu = os.cpus();
  return [
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `Servers on Node ${nodeVersion}; bench client on Node ${process.version}. Date: ${new Date().toISOString()}. Commit: ${commit}.`,
    '',
  ].join('\n');
}

async function smoke() {
  const browser = await runBrowserBench({ smoke: true, profile: false });
  for (const phase of [browser.at1Hz, browser.at10Hz]) {
    console.log(`bench smoke, browser at ${phase.hz} Hz: the page received ${phase.pointsReceived} of ${phase.pointsSent} points`);
    if (phase.pointsReceived < phase.pointsSent) throw new Error('bench smoke: the dashboard did not receive every streamed point');
  }
  for (const kind of ['floor', 'pulseboard']) {
    const server = await startServer(kind, { node });
    try {
      const r = await runScenario(server, { clients: 20, rate: 50, batch: 5, seconds: 2, settleMs: 200 });
      console.log(`bench smoke, ${kind}: ${r.received} of ${r.accepted * 20} points delivered to 20 clients`);
      if (!(r.accepted > 0 && r.delivery === 1)) throw new Error(`bench smoke: ${kind} delivered ${r.received} of ${r.accepted * 20} points`);
    } finally {
      await server.stop();
    }
  }
  const cluster = await startRedisCluster({ instances: 2, node });
  try {
    const r = await runScenario(cluster, { clients: 20, rate: 50, batch: 5, seconds: 2, settleMs: 500 });
    console.log(`bench smoke, two instances on Redis: ${r.received} of ${r.accepted * 20} points delivered to 20 clients`);
    if (!(r.accepted > 0 && r.delivery === 1)) throw new Error(`bench smoke: two instances on Redis delivered ${r.received} of ${r.accepted * 20} points`);
  } finally {
    await cluster.stop();
  }
  // The collector and 10 scrape targets write what they should (bench/collect.mjs).
  const collect = await runCollectBench({ seconds: 2, smoke: true });
  console.log(`bench smoke, collector and scraping: ${collect.collector.series} host series, ${collect.scraping.series} series from 10 targets`);
  // The alert evaluator evaluates 1,000 rules over 10,000 fed series (bench/alerts.mjs); throws if it did not.
  const alerts = await runAlertsBench({ seconds: 3, smoke: true });
  console.log(`bench smoke, alerts: ${alerts.withRules.rules} rules over ${alerts.withRules.series} series, ${alerts.withRules.evaluations} evaluations, ${alerts.evaluationMsP50.toFixed(1)} ms each (p50), ${alerts.withRules.firing} firing`);
  // The storage bench's own smoke run (bench/storage.mjs): ingest with and without DATA_DIR, bytes, queries, start-up.
  execFileSync(node, ['bench/storage.mjs', '--smoke'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

async function soak(seconds) {
  const server = await startServer('pulseboard', { node });
  try {
    const samples = [];
    const done = runScenario(server, { clients: 10_000, rate: 0, batch: 1, seconds: 0, settleMs: seconds * 1000 });
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      await new Promise((r) => setTimeout(r, 30_000));
      samples.push([Math.round((Date.now() - started) / 1000), rssKb(server.pid)]);
      console.error(`  soak ${samples.at(-1)[0]} s: RSS ${fmt(samples.at(-1)[1] / 1024, 1)} MB`);
    }
    const r = await done;
    console.log(`\n10,000 idle streams on Node ${nodeVersion}: RSS before ${fmt(r.rssBeforeKb / 1024, 1)} MB, ` +
      `with streams ${fmt(r.rssIdleKb / 1024, 1)} MB (${fmt(r.kbPerStream, 1)} KB per stream), samples every 30 s (s, MB): ` +
      samples.map(([s, kb]) => `${s}: ${fmt(kb / 1024, 1)}`).join(', '));
  } finally {
    await server.stop();
  }
}

if (flag('--smoke')) {
  await smoke();
} else if (option('--soak')) {
  await soak(Number(option('--soak')));
} else {
  const only = option('--only')?.split(',');
  const sections = [header()];
  for (const s of SCENARIOS.filter((x) => !only || only.includes(x.id))) {
    console.error(`running ${s.title}`);
    const floor = await onFresh('floor', (srv) => runScenario(srv, s));
    const pulse = await onFresh('pulseboard', (srv) => runScenario(srv, s));
    sections.push(table(s.title, floor, pulse));
    console.log(sections.at(-1));
  }
  if (!only || only.includes('e')) {
    console.error('running (e): highest rate at 1,000 clients (batch 10) with 100 % delivered and p99 < 100 ms');
    const floor = await search('floor');
    const pulse = await search('pulseboard');
    sections.push(
      table(`(e) highest passing rate at 1,000 clients: floor ${fmt(floor?.rate)} points/s, Pulseboard ${fmt(pulse?.rate)} points/s`, floor, pulse),
    );
    console.log(sections.at(-1));
  }
  const redisScenarios = REDIS_SCENARIOS.filter((x) => !only || only.includes(x.id) || only.includes('redis'));
  if (redisScenarios.length > 0) sections.push('## Scaled out: two instances sharing one Redis\n');
  for (const s of redisScenarios) {
    console.error(`running ${s.title}, one instance and two instances on Redis`);
    const single = await onFresh('pulseboard', (srv) => runScenario(srv, s));
    const cluster = await onFresh('redis', (srv) => runScenario(srv, s));
    sections.push(table(`${s.title}: one instance, and two on Redis`, single, cluster, ['one instance', 'two instances + Redis']));
    console.log(sections.at(-1));
  }
  if (!only || only.includes('collect')) {
    console.error('running the collector and scrape cost benchmark (bench/collect.mjs)');
    sections.push('## Collector and scrape targets: CPU\n', (await runCollectBench({ seconds: 30 })).report);
    console.log(sections.at(-1));
  }
  if (!only || only.includes('alerts')) {
    console.error('running the alert evaluation benchmark (bench/alerts.mjs)');
    sections.push('## Alert evaluation: 1,000 rules over 10,000 series\n', (await runAlertsBench({ seconds: 30 })).report);
    console.log(sections.at(-1));
  }
  if (!only || only.includes('browser')) {
    console.error('running the browser rendering benchmark');
    sections.push('## Browser rendering\n', formatBrowserReport(await runBrowserBench({ profile: false })), '');
    console.log(sections.at(-2));
  }
  if (!only) {
    // Only the measured part is replaced; the analysis around it is written by people.
    const START = '<!-- npm run bench writes between these markers -->';
    const END = '<!-- end of npm run bench -->';
    const file = 'docs/benchmarks.md';
    const old = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
    const [before, rest = ''] = old.split(START);
    const after = rest.includes(END) ? rest.slice(rest.indexOf(END)) : `${END}\n`;
    writeFileSync(file, `${before}${START}\n${sections.join('\n')}\n${after}`);
    console.error('written to docs/benchmarks.md');
  }
}
