#!/usr/bin/env node
// Hostile stream clients against production builds, side by side: each --dir is a checkout with
// `npm run build` done. Loopback only; every loop is bounded in count and time, and a watchdog
// ends the run whatever happens.
//
//   node bench/hostile-streams.mjs --dir /work/wt-base --dir .
//
// (a) The replay log filled to ~14 MB, then 60 streams resume from a cursor before all of it and
//     never read: server RSS before and after (and the peak meanwhile), and whether a reading
//     client still gets every point. Default stream caps: 61 streams from one address fit.
// (b) 200 streams, each with its own filter of 64 globs, while ~25 points/s are ingested: server
//     CPU over 10 s before and after they open. Needs 200 streams from one address: caps lifted.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { createParser } from 'eventsource-parser';
import { cpuSeconds, rssKb, startServer } from './server.mjs';

const args = process.argv.slice(2);
const dirs = args.flatMap((a, i) => (a === '--dir' && args[i + 1] ? [args[i + 1]] : []));
if (dirs.length === 0) {
  console.error('usage: node bench/hostile-streams.mjs --dir <checkout with a production build> [--dir ...]');
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (kb) => (kb / 1024).toFixed(0);
const servers = new Set();
const watchdog = setTimeout(async () => {
  console.error('hostile-streams: gave up after 15 minutes');
  await Promise.all([...servers].map((s) => s.stop()));
  process.exit(1);
}, 15 * 60_000);

async function json(url, init) {
  return (await fetch(url, init)).json();
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

function ingest(url, points) {
  return fetch(`${url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ points }) });
}

/** Waits (at most `ms`) until `/api/health` counts `n` open streams. */
async function streamsOpen(url, n, ms = 60_000) {
  const deadline = Date.now() + ms;
  let open = 0;
  while (Date.now() < deadline && (open = (await json(`${url}/api/health`)).streams.open) < n) await sleep(200);
  return open;
}

/** A raw-socket stream request; `read: false` takes the response head and then never reads. */
function rawStream(port, path, { headers = {}, read = true } = {}) {
  const socket = net.connect(port, '127.0.0.1', () => {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${extra}\r\n`);
  });
  const status = new Promise((resolve) => {
    socket.once('data', (buf) => {
      resolve(Number(buf.subarray(9, 12).toString()));
      if (!read) socket.pause();
    });
    socket.once('close', () => resolve(0));
  });
  if (read) socket.on('data', () => {});
  socket.on('error', () => {});
  return { socket, status };
}

/** Posts 0, 1, 2, … to `name` every `everyMs` until stopped; `stop()` resolves with how many were accepted. */
function sequence(url, name, everyMs, limit = 10_000) {
  let next = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped && next < limit) {
      if ((await ingest(url, [{ name, value: next }])).status === 202) next++;
      await sleep(everyMs);
    }
    return next;
  })();
  return { stop: () => ((stopped = true), done) };
}

/** Collects the values of `name` from a stream until stopped or `ms` pass. */
async function reader(url, name, ms) {
  const values = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const res = await fetch(`${url}/api/stream?series=${name}`, { signal: controller.signal });
  const parser = createParser({
    onEvent: (e) => {
      if (e.event === 'points') for (const p of JSON.parse(e.data).points) if (p.series === name) values.push(p.v);
    },
  });
  const decoder = new TextDecoder();
  const pump = (async () => {
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted
    }
  })();
  return {
    values,
    stop: async () => {
      clearTimeout(timer);
      controller.abort();
      await pump;
    },
  };
}

async function scenarioA(dir) {
  // Default caps, as a deployment has them: 61 streams from one address are within 64.
  const server = await startServer('pulseboard', { cwd: dir, liftCaps: false, env: { INSTANCE: 'bench', REPLAY_MAX_BYTES: '16MiB' } });
  servers.add(server);
  const sockets = [];
  try {
    await ingest(server.url, [{ name: 'hostile_marker', value: 1 }]);
    const cursor = (await json(`${server.url}/api/health`)).bus.cursor;
    const pad = 'x'.repeat(80);
    const t0 = Date.now() - 120_000;
    let replay = 0;
    for (let i = 0; i < 60 && replay < 14_000_000; i++) {
      const points = Array.from({ length: 4_000 }, (_, j) => ({ name: 'hostile_fill', labels: { n: String(j), pad }, value: i, timestamp: t0 + i * 1_000 }));
      if ((await ingest(server.url, points)).status !== 202) throw new Error('fill refused');
      replay = await metric(server.url, 'pulseboard_replay_bytes');
    }
    const name = 'hostile_live';
    const normal = await reader(server.url, name, 120_000);
    await streamsOpen(server.url, 1);
    const producer = sequence(server.url, name, 50);
    await sleep(2_000);
    const before = rssKb(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(server.pid))), 100);
    for (let i = 0; i < 60; i++) sockets.push(rawStream(server.port, '/api/stream?series=hostile_fill*', { headers: { 'Last-Event-ID': cursor }, read: false }));
    const open = await streamsOpen(server.url, 61);
    await sleep(5_000);
    clearInterval(sampler);
    const after = rssKb(server.pid);
    const sent = await producer.stop();
    const deadline = Date.now() + 10_000;
    while (normal.values.length < sent && Date.now() < deadline) await sleep(100);
    await normal.stop();
    const inOrder = normal.values.every((v, i) => v === i);
    return { replayMb: replay / 1e6, open: open - 1, before, after, peak: Math.max(peak, after), got: normal.values.length, sent, inOrder };
  } finally {
    for (const s of sockets) s.socket.destroy();
    await server.stop();
    servers.delete(server);
  }
}

/** `count` distinct filters of 64 globs each; a leading `*` makes every glob scan the key. */
function filters(count) {
  return Array.from({ length: count }, (_, i) => Array.from({ length: 64 }, (_, g) => `*host="h${i}-${g}"*`).join(','));
}

async function cpuOver(pid, ms) {
  const start = cpuSeconds(pid);
  await sleep(ms);
  return ((cpuSeconds(pid) - start) / (ms / 1000)) * 100;
}

async function scenarioB(dir) {
  const server = await startServer('pulseboard', { cwd: dir, env: { INSTANCE: 'bench' } });
  servers.add(server);
  const sockets = [];
  let stopped = false;
  try {
    // ~25 points/s: 5 series, a batch every 200 ms, bounded to 10 minutes' worth.
    const producer = (async () => {
      for (let i = 0; i < 3_000 && !stopped; i++) {
        await ingest(server.url, Array.from({ length: 5 }, (_, j) => ({ name: 'hostile_cpu', labels: { host: `web-${j}` }, value: i })));
        await sleep(200);
      }
    })();
    await sleep(3_000);
    const before = await cpuOver(server.pid, 10_000);
    for (const f of filters(200)) sockets.push(rawStream(server.port, `/api/stream?series=${encodeURIComponent(f)}`));
    const statuses = await Promise.all(sockets.map((s) => s.status));
    const open = await streamsOpen(server.url, 200, 30_000);
    await sleep(2_000);
    const after = await cpuOver(server.pid, 10_000);
    stopped = true;
    await producer;
    return { before, after, open, ok: statuses.filter((s) => s === 200).length };
  } finally {
    stopped = true;
    for (const s of sockets) s.socket.destroy();
    await server.stop();
    servers.delete(server);
  }
}

const rows = [];
for (const dir of dirs) {
  const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD']).toString().trim();
  console.error(`${dir} (${commit}): (a) 60 unread resumes…`);
  const a = await scenarioA(dir);
  console.error(`${dir} (${commit}): (b) 200 streams of 64-glob filters…`);
  const b = await scenarioB(dir);
  rows.push({ dir, commit, a, b });
}
clearTimeout(watchdog);

console.log(`\nHostile streams (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| build | (a) replay | (a) RSS before → after (peak) | (a) reading client | (b) 200 filter streams | (b) CPU before → after |');
console.log('| --- | ---: | ---: | --- | ---: | ---: |');
for (const { dir, commit, a, b } of rows) {
  const client = `${a.got} of ${a.sent} points${a.inOrder ? ', in order' : ', OUT OF ORDER'}`;
  console.log(
    `| ${dir} (${commit}) | ${a.replayMb.toFixed(1)} MB, ${a.open} streams | ${mb(a.before)} → ${mb(a.after)} MB (${mb(a.peak)}) | ${client} | ${b.ok} answered 200, ${b.open} open | ${b.before.toFixed(1)} % → ${b.after.toFixed(1)} % |`,
  );
}
