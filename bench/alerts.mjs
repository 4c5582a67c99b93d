#!/usr/bin/env node
// `npm run bench:alerts` (and part of `npm run bench`): what the alert evaluator costs, side by side
// in one run against a baseline. Two fresh production servers run at the same time with the same
// settings (DATA_DIR=none, COLLECT_INTERVAL=1h, ALERT_EVAL_INTERVAL=1s) and are fed the same
// 10,000 series (100 names × 100 label sets) every second; their CPU is read from /proc/<pid>/stat
// over the same time.
//
//   (1) baseline: an empty ALERTS_FILE
//   (2) rules:    1,000 rules over those series (selectors, matchers, avg by, sum, topk)
//
// Each evaluation's time is the server's own `evaluationMs` (GET /api/alerts), sampled every second.
//
//   node bench/alerts.mjs [--seconds 30] [--warmup 35] [--smoke]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, request, rssKb, startServer } from './server.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

const METRICS = 100;
const LABEL_SETS = 100;
const SHARDS = 20; // × 5 replicas = 100 label sets
const RULES = 1_000;
const KINDS = ['selector', 'matcher', 'avg by', 'sum', 'topk'];
/** Points per ingest request (INGEST_MAX_POINTS is 10,000 and the body at most 1 MiB: 10,000 points are ~750 KB). */
const CHUNK = 2_500;

const labelsOf = (s) => ({ shard: String(s % SHARDS), replica: String(Math.floor(s / SHARDS)) });
/** A series' value: every integer 0–99 once per metric name (17 and 100 are coprime), and a flicker of 0.001 between ticks. */
const valueOf = (m, s, tick) => ((m * 31 + s * 17) % 100) + (tick % 2) * 0.001;

/** The query of rule i, and its kind. */
function queryOf(i) {
  const m = i % METRICS;
  const kind = KINDS[Math.floor(i / METRICS) % KINDS.length];
  const name = `bench_alert_${m}`;
  const query = { selector: name, matcher: `${name}{shard=~"1*"}`, 'avg by': `avg by (shard) (${name})`, sum: `sum(${name})`, topk: `topk(5, ${name})` }[kind];
  return { m, kind, query };
}

/** The values the lines of rule i's query take (without the flicker): what its threshold is chosen from. */
function lineValues(i) {
  const { m, kind } = queryOf(i);
  const all = Array.from({ length: LABEL_SETS }, (_, s) => ({ s, v: valueOf(m, s, 0) }));
  if (kind === 'selector') return all.map((x) => x.v);
  if (kind === 'matcher') return all.filter((x) => labelsOf(x.s).shard.startsWith('1')).map((x) => x.v);
  if (kind === 'sum') return [all.reduce((a, x) => a + x.v, 0)];
  if (kind === 'topk') return all.map((x) => x.v).sort((a, b) => b - a).slice(0, 5);
  const groups = new Map();
  for (const x of all) groups.set(labelsOf(x.s).shard, [...(groups.get(labelsOf(x.s).shard) ?? []), x.v]);
  return [...groups.values()].map((g) => g.reduce((a, v) => a + v, 0) / g.length);
}

/**
 * 1,000 rules, 200 of each kind. One rule in ten is "hot": its threshold is the 80th percentile of
 * its lines' values, so about a fifth of its lines cross it (half of the hot rules fire at once,
 * half wait 10 minutes and stay pending); the other rules' thresholds are out of reach, so their
 * lines are evaluated and never fire. Windows alternate between 30 s and 0 s, reduce `last`.
 */
function rulesFile() {
  const rules = [];
  for (let i = 0; i < RULES; i++) {
    const { kind, query } = queryOf(i);
    const values = lineValues(i).sort((a, b) => a - b);
    const hot = i % 10 === 0;
    const rule = { name: `bench_rule_${i}`, query, window: i % 2 === 0 ? '30s' : '0s', reduce: 'last', severity: i % 3 === 0 ? 'critical' : 'warning', summary: `${kind} of bench_alert_${i % METRICS} is {{value}}` };
    if (hot) {
      const threshold = values[Math.floor(values.length * 0.8)] - 0.05;
      Object.assign(rule, { above: threshold, clearBelow: threshold - 1, for: i % 20 === 0 ? '0s' : '10m' });
    } else if (i % 2 === 1) {
      Object.assign(rule, { below: -1, clearAbove: 0, for: '1m' });
    } else {
      Object.assign(rule, { above: values.at(-1) * 10 + 1_000, for: '0s' });
    }
    rules.push(rule);
  }
  return { rules, channels: [], silences: [] };
}

/** The ingest bodies of one tick: 10,000 points in requests of CHUNK, for even and odd ticks. */
function bodies() {
  const out = [[], []];
  for (const parity of [0, 1]) {
    let points = [];
    for (let m = 0; m < METRICS; m++) {
      for (let s = 0; s < LABEL_SETS; s++) {
        points.push({ name: `bench_alert_${m}`, labels: labelsOf(s), value: valueOf(m, s, parity) });
        if (points.length === CHUNK) {
          out[parity].push(JSON.stringify({ points }));
          points = [];
        }
      }
    }
    if (points.length > 0) out[parity].push(JSON.stringify({ points }));
  }
  return out;
}

/** GET a JSON document on a fresh connection (the server's loop is blocked while it evaluates), bounded. */
function getJson(url, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new Error(`${url}: ${res.statusCode}, not JSON (${err.message})`));
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function getText(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: no answer`)));
    req.on('error', reject);
  });
}

const evaluations = async (url) => Number(/^pulseboard_alert_evaluations_total(?:\{[^}]*\})? (\S+)$/m.exec(await getText(`${url}/api/metrics`))?.[1] ?? NaN);

function quantile(sorted, q) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Feeds both servers the same 10,000 points once a second until `stop()`, at most `maxTicks`
 * times; counts what was accepted and refused.
 */
function feed(servers, maxTicks) {
  const payloads = bodies();
  const totals = servers.map(() => ({ accepted: 0, failed: 0 }));
  let stopped = false;
  const done = (async () => {
    const started = Date.now();
    for (let tick = 0; tick < maxTicks && !stopped; tick++) {
      await Promise.all(
        servers.map(async (server, j) => {
          for (const body of payloads[tick % 2]) {
            const r = await request(`${server.url}/api/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, timeoutMs: 10_000 });
            if (r.status === 202) totals[j].accepted += CHUNK;
            else totals[j].failed++;
          }
        }),
      );
      const wait = started + (tick + 1) * 1000 - Date.now();
      if (wait > 0 && !stopped) await sleep(wait);
    }
  })();
  return { totals, stop: () => ((stopped = true), done) };
}

export async function runAlertsBench({ seconds = 30, smoke = false, warmupSeconds = smoke ? 3 : 35 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulseboard-bench-alerts-'));
  const emptyFile = path.join(dir, 'empty.json');
  const rulesPath = path.join(dir, 'rules.json');
  writeFileSync(emptyFile, JSON.stringify({ rules: [], channels: [], silences: [] }));
  writeFileSync(rulesPath, JSON.stringify(rulesFile(), null, 1));
  const env = { DATA_DIR: 'none', INSTANCE: 'bench', COLLECT_INTERVAL: '1h', ALERT_EVAL_INTERVAL: '1s', MAX_SERIES: '20000', INGEST_MAX_POINTS: '10000' };
  const started = [];
  let feeder;
  try {
    // Side by side: both start at once and are measured over the same seconds.
    const starts = await Promise.allSettled([emptyFile, rulesPath].map((file) => startServer('pulseboard', { env: { ...env, ALERTS_FILE: file } })));
    for (const s of starts) if (s.status === 'fulfilled') started.push(s.value);
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const servers = started;
    feeder = feed(servers, warmupSeconds + seconds + 10);
    await sleep(warmupSeconds * 1000);

    const cpu0 = servers.map((s) => cpuSeconds(s.pid));
    const evals0 = await Promise.all(servers.map((s) => evaluations(s.url)));
    const t0 = performance.now();
    const samples = servers.map(() => new Map()); // evaluatedAt → evaluationMs: each evaluation once
    let last = [];
    for (let k = 0; k < seconds && performance.now() - t0 < seconds * 1000; k++) {
      last = await Promise.all(servers.map((s) => getJson(`${s.url}/api/alerts`)));
      last.forEach((status, j) => {
        if (status.evaluatedAt !== null && Number.isFinite(status.evaluationMs)) samples[j].set(status.evaluatedAt, status.evaluationMs);
      });
      const wait = t0 + (k + 1) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = servers.map((s, j) => cpuSeconds(s.pid) - cpu0[j]);
    const evals = (await Promise.all(servers.map((s) => evaluations(s.url)))).map((n, j) => n - evals0[j]);
    const health = await Promise.all(servers.map((s) => getJson(`${s.url}/api/health`)));
    const sides = servers.map((s, j) => {
      const ms = [...samples[j].values()].sort((a, b) => a - b);
      const status = last[j];
      return {
        percent: (cpu[j] / wall) * 100,
        rssMb: rssKb(s.pid) / 1024,
        series: health[j].series?.count ?? 0,
        rules: status?.rules?.length ?? 0,
        configError: status ? status.configError : 'no answer from /api/alerts',
        evaluations: evals[j],
        evaluationsSampled: ms.length,
        evaluationMsP50: quantile(ms, 0.5),
        evaluationMsMax: ms.at(-1) ?? NaN,
        firing: status?.alerts?.filter((a) => a.state === 'firing').length ?? 0,
        pending: status?.alerts?.filter((a) => a.state === 'pending').length ?? 0,
        rulesWithErrors: status?.rules?.filter((r) => r.error).length ?? 0,
        ingest: feeder.totals[j],
      };
    });
    await feeder.stop();
    feeder = undefined;
    const [base, withRules] = sides;
    const figures = {
      seconds,
      warmupSeconds,
      series: METRICS * LABEL_SETS,
      rules: RULES,
      baseline: base,
      withRules,
      cpuDifference: withRules.percent - base.percent,
      evaluationMsP50: withRules.evaluationMsP50,
      evaluationMsMax: withRules.evaluationMsMax,
      /** What one evaluation a second, and one every 5 s (ALERT_EVAL_INTERVAL's default), is of one core. */
      percentOfCoreAt1s: withRules.evaluationMsP50 / 10,
      percentOfCoreAt5s: withRules.evaluationMsP50 / 50,
    };
    const problems = [];
    if (withRules.configError) problems.push(`configError: ${withRules.configError}`);
    if (withRules.rules !== RULES) problems.push(`${withRules.rules} rules in force, not ${RULES}`);
    if (!Number.isFinite(withRules.evaluationMsP50) || withRules.evaluations < 1) problems.push(`no evaluation was seen (evaluationMs ${withRules.evaluationMsP50}, ${withRules.evaluations} evaluations)`);
    if (withRules.series < METRICS * LABEL_SETS) problems.push(`the server holds ${withRules.series} series, fewer than the ${METRICS * LABEL_SETS} fed (ingest: ${withRules.ingest.accepted} points accepted, ${withRules.ingest.failed} requests refused)`);
    if (withRules.firing === 0) problems.push('no alert instance fires: the rules do not see the series');
    if (smoke && problems.length > 0) throw new Error(`bench smoke: alerts: ${problems.join('; ')}`);

    const rows = [
      '| Server (fresh, DATA_DIR=none, ALERT_EVAL_INTERVAL=1s, 10,000 series fed every second) | (1) baseline: no rules | (2) 1,000 rules | difference |',
      '| --- | ---: | ---: | ---: |',
      `| evaluation, p50 ms (\`evaluationMs\`, ${withRules.evaluationsSampled} sampled) | ${fmt(base.evaluationMsP50, 2)} | **${fmt(withRules.evaluationMsP50, 1)}** | |`,
      `| evaluation, max ms | ${fmt(base.evaluationMsMax, 2)} | ${fmt(withRules.evaluationMsMax, 1)} | |`,
      `| evaluations in ${fmt(wall, 0)} s | ${base.evaluations} | ${withRules.evaluations} | |`,
      `| CPU, % of one core | ${fmt(base.percent, 1)} | ${fmt(withRules.percent, 1)} | **${fmt(figures.cpuDifference, 1)}** |`,
      `| RSS | ${fmt(base.rssMb, 0)} MB | ${fmt(withRules.rssMb, 0)} MB | ${fmt(withRules.rssMb - base.rssMb, 0)} MB |`,
      `| series held (the 10,000 fed, and ALERTS) | ${base.series} | ${withRules.series} | |`,
      `| alert instances firing / pending | ${base.firing} / ${base.pending} | ${withRules.firing} / ${withRules.pending} | |`,
    ];
    const notes = [
      `${fmt(RULES, 0)} rules over ${fmt(METRICS * LABEL_SETS, 0)} series: ${fmt(figures.evaluationMsP50, 1)} ms per evaluation (p50), ${fmt(figures.evaluationMsMax, 1)} ms max; ` +
        `at ALERT_EVAL_INTERVAL=5s (the default) that is ${fmt(figures.percentOfCoreAt5s, 2)} % of a core, at 1s ${fmt(figures.percentOfCoreAt1s, 1)} % (the evaluation runs on the server's thread, which it holds that long).`,
      `Measured over ${fmt(wall, 1)} s after a ${warmupSeconds} s warm-up${warmupSeconds >= 33 ? ' (every 30 s window full)' : ''}, both servers at once on ${os.cpus().length} cores. ` +
        `The rules: 200 each of \`bench_alert_<m>\`, \`bench_alert_<m>{shard=~"1*"}\`, \`avg by (shard) (…)\`, \`sum(…)\`, \`topk(5, …)\`, windows 30 s and 0 s, reduce last; ` +
        `one in ten can fire. The CPU difference also holds the ALERTS points published and a larger /api/alerts answer polled each second.`,
      ...(problems.length > 0 ? [`Problems: ${problems.join('; ')}.`] : []),
    ];
    return { ...figures, report: `${rows.join('\n')}\n\n${notes.join('\n\n')}\n` };
  } finally {
    if (feeder) await feeder.stop();
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const smoke = args.includes('--smoke');
  const seconds = Number(option('--seconds') ?? (smoke ? 3 : 30));
  const warmup = option('--warmup');
  const r = await runAlertsBench({ seconds, smoke, ...(warmup !== undefined && { warmupSeconds: Number(warmup) }) });
  console.log(r.report);
}
