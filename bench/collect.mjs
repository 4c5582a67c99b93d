#!/usr/bin/env node
// `npm run bench:collect` (and part of `npm run bench`): what the built-in collector and scraping
// cost, side by side in one run against the same server idle. Each side is a fresh production
// server (DATA_DIR=none, no clients); its CPU is read from /proc/<pid>/stat over the same time.
//
//   (1) idle:      COLLECT_INTERVAL=1h, no targets: what the server costs doing nothing
//   (2) collector: COLLECT_INTERVAL=1s, every source on (/proc, /sys, processes, TCP states, PSI)
//   (3) scraping:  COLLECT_INTERVAL=1h, 10 targets of 1,000 samples each, SCRAPE_INTERVAL=1s
//
//   node bench/collect.mjs [--seconds 30] [--smoke]
import http from 'node:http';
import { cpuSeconds, rssKb, startServer } from './server.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

/** A target exposing 1,000 samples: 10 families × 100 label sets, counters and gauges that move. */
function exposition(i, tick) {
  const lines = [];
  for (let f = 0; f < 10; f++) {
    const name = f % 2 === 0 ? `bench_target_requests_${f}_total` : `bench_target_queue_${f}_bytes`;
    lines.push(`# HELP ${name} A family of the bench target`, `# TYPE ${name} ${f % 2 === 0 ? 'counter' : 'gauge'}`);
    for (let l = 0; l < 100; l++) lines.push(`${name}{route="/api/v1/items/${l}",method="${l % 2 ? 'GET' : 'POST'}",shard="${i}"} ${tick * (l + 1) + f}`);
  }
  return `${lines.join('\n')}\n`;
}

async function startTargets(count) {
  const servers = [];
  let scrapes = 0;
  for (let i = 0; i < count; i++) {
    let tick = 0;
    const server = http.createServer((_req, res) => {
      scrapes++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(exposition(i, tick++));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: servers.map((s, i) => `t${i}=http://127.0.0.1:${s.address().port}/metrics`),
    scrapes: () => scrapes,
    close: () => Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r))))),
  };
}

/** CPU share of one core a server used over `seconds`, after a warm-up; with its RSS and series held. */
async function measure(env, seconds, { warmMs = 5_000 } = {}) {
  const server = await startServer('pulseboard', { env: { DATA_DIR: 'none', INSTANCE: 'bench', MAX_SERIES: '30000', ...env } });
  try {
    await sleep(warmMs);
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = cpuSeconds(server.pid) - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const health = await (await fetch(`${server.url}/api/health`)).json();
    return { percent: (cpu / wall) * 100, rssMb: rssKb(server.pid) / 1024, series: health.series?.count ?? 0 };
  } finally {
    await server.stop();
  }
}

export async function runCollectBench({ seconds = 30, smoke = false } = {}) {
  const idle = await measure({ COLLECT_INTERVAL: '1h' }, seconds);
  const collector = await measure({ COLLECT_INTERVAL: '1s' }, seconds);
  const targets = await startTargets(10);
  let scraping;
  let scrapes;
  try {
    const before = targets.scrapes();
    scraping = await measure({ COLLECT_INTERVAL: '1h', SCRAPE_TARGETS: targets.urls.join(','), SCRAPE_INTERVAL: '1s' }, seconds);
    scrapes = targets.scrapes() - before;
  } finally {
    await targets.close();
  }
  const rows = [
    '| Server (fresh, DATA_DIR=none, no clients) | CPU, % of one core | of which the work measured | series held | RSS |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| (1) idle: collector at 1 h, no targets | ${fmt(idle.percent, 2)} | – | ${idle.series} | ${fmt(idle.rssMb, 0)} MB |`,
    `| (2) collector at 1 s, every source on | ${fmt(collector.percent, 2)} | **${fmt(collector.percent - idle.percent, 2)}** (goal ≤ 1) | ${collector.series} | ${fmt(collector.rssMb, 0)} MB |`,
    `| (3) 10 targets × 1,000 samples at 1 s | ${fmt(scraping.percent, 2)} | **${fmt(scraping.percent - idle.percent, 2)}** (goal ≤ 10) | ${scraping.series} | ${fmt(scraping.rssMb, 0)} MB |`,
  ];
  const note = `Measured over ${seconds} s each after a 5 s warm-up; the targets answered ${scrapes} scrapes in (3) (${fmt(scrapes / seconds / 10, 2)} per target per second, warm-up included).`;
  if (smoke && !(scraping.series > 10_000 && collector.series > idle.series)) throw new Error(`bench smoke: collect: the collector or the targets wrote nothing (series: idle ${idle.series}, collector ${collector.series}, scraping ${scraping.series})`);
  return { idle, collector, scraping, report: `${rows.join('\n')}\n\n${note}\n` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const smoke = args.includes('--smoke');
  const r = await runCollectBench({ seconds: Number(option('--seconds') ?? (smoke ? 3 : 30)), smoke });
  console.log(r.report);
}
