// Fan-out load: C raw-socket SSE clients, R points/s pushed through POST /api/ingest in batches of B,
// against one server. Every loop is bounded in count and time; loopback only.
import net from 'node:net';
import { cpuSeconds, rssKb } from './server.mjs';

const NEEDLE = Buffer.from('"series":"bench_');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * One SSE connection on a raw socket. Counts bench points in the raw bytes (events are written
 * whole, so chunked framing never splits one; TCP may, hence the carried tail). A sampled client
 * also reads each point's `t` for latency.
 */
class RawSseClient {
  constructor(port, path, sampled, latencies) {
    this.points = 0;
    this.sampled = sampled;
    this.latencies = latencies;
    this.tail = Buffer.alloc(0);
    this.text = '';
    this.status = 0;
    this.started = performance.now();
    this.ready = new Promise((resolve, reject) => {
      this.socket = net.connect(port, '127.0.0.1', () => {
        this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      });
      this.socket.setNoDelay(true);
      let head = true;
      this.socket.on('data', (buf) => {
        if (head) {
          const end = buf.indexOf('\r\n\r\n');
          this.status = Number(buf.subarray(9, 12).toString());
          if (end === -1) return;
          head = false;
          this.setupMs = performance.now() - this.started;
          resolve();
          buf = buf.subarray(end + 4);
        }
        this.onBody(buf);
      });
      this.socket.on('error', reject);
      this.socket.on('close', () => reject(new Error('closed before headers')));
    });
  }

  onBody(buf) {
    const data = this.tail.length ? Buffer.concat([this.tail, buf]) : buf;
    let i = data.indexOf(NEEDLE);
    while (i !== -1) {
      this.points++;
      i = data.indexOf(NEEDLE, i + NEEDLE.length);
    }
    this.tail = data.subarray(Math.max(0, data.length - NEEDLE.length + 1));
    if (!this.sampled) return;
    const now = Date.now();
    this.text += buf.toString();
    const cut = this.text.lastIndexOf('\n\n');
    if (cut === -1) return;
    for (const m of this.text.slice(0, cut).matchAll(/"t":(\d+)/g)) this.latencies.push(now - Number(m[1]));
    this.text = this.text.slice(cut + 2);
  }

  close() {
    this.socket.destroy();
  }
}

/** Opens `count` clients, at most `parallel` connecting at once; returns them with setup figures. */
async function connect(server, count, sampleEvery, latencies, parallel = 200) {
  const clients = [];
  const started = performance.now();
  for (let i = 0; i < count; i += parallel) {
    const wave = [];
    for (let j = i; j < Math.min(count, i + parallel); j++) {
      // Against several instances (the Redis scale-out bench), clients spread over them in turn.
      const port = members(server)[j % members(server).length].port;
      const c = new RawSseClient(port, '/api/stream?series=bench_*', j % sampleEvery === 0, latencies);
      clients.push(c);
      wave.push(c.ready);
    }
    await Promise.all(wave);
  }
  const bad = clients.filter((c) => c.status !== 200).length;
  if (bad > 0) throw new Error(`${bad} of ${count} stream requests were not answered 200`);
  const setup = clients.map((c) => c.setupMs).sort((a, b) => a - b);
  return { clients, allMs: performance.now() - started, setupP50: percentile(setup, 50), setupP99: percentile(setup, 99) };
}

/** Pushes `rate` points/s in batches of `batch` for `seconds`; resolves with points accepted (202). */
async function produce(server, rate, batch, seconds) {
  const intervalMs = (1000 * batch) / rate;
  const end = performance.now() + seconds * 1000;
  const inflight = new Set();
  let accepted = 0;
  let refused = 0;
  let sent = 0;
  const start = performance.now();
  while (performance.now() < end) {
    const due = Math.floor((performance.now() - start) / intervalMs) + 1;
    while (sent < due && inflight.size < 64) {
      const now = Date.now();
      const points = Array.from({ length: batch }, (_, i) => ({ name: 'bench_load', labels: { n: String(i) }, value: sent, timestamp: now }));
      // Several instances: each writes its own series (a series is written in time order, which
      // concurrent requests through different instances would not keep).
      const via = sent % members(server).length;
      const body = members(server).length > 1 ? points.map((p) => ({ ...p, labels: { ...p.labels, via: String(via) } })) : points;
      const p = fetch(`${members(server)[via].url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ points: body }),
      })
        .then(async (res) => {
          const body = await res.json();
          if (res.status === 202) accepted += body.accepted;
          else refused++;
        })
        .catch(() => refused++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
      sent++;
    }
    await sleep(Math.max(1, Math.min(10, intervalMs / 2)));
  }
  await Promise.all(inflight);
  return { accepted, refused };
}

/** The instances of a server under test: itself, or each member of a multi-instance setup. */
const members = (server) => server.members ?? [server];
/** CPU seconds of every process serving (instances and, for scale-out, Redis). */
const serverCpu = (server) => (server.cpuPids ?? [server.pid]).reduce((n, pid) => n + cpuSeconds(pid), 0);
/** RSS of the instances, summed. */
const serverRss = (server) => members(server).reduce((n, m) => n + rssKb(m.pid), 0);

/**
 * Runs one scenario against a started server: connect `clients`, measure memory idle, push
 * `rate` points/s in batches of `batch` for `seconds` (none when rate is 0), drain, measure.
 */
export async function runScenario(server, { clients: count, rate, batch, seconds, settleMs = 2000 }) {
  const latencies = [];
  const rssBefore = serverRss(server);
  const clientCpu0 = process.cpuUsage();
  const { clients, allMs, setupP50, setupP99 } = await connect(server, count, Math.max(1, Math.ceil(count / 100)), latencies);
  await sleep(settleMs);
  const rssIdle = serverRss(server);
  const result = {
    clients: count,
    rate,
    batch,
    setupAllMs: allMs,
    setupP50,
    setupP99,
    rssBeforeKb: rssBefore,
    rssIdleKb: rssIdle,
    kbPerStream: (rssIdle - rssBefore) / count,
  };
  if (rate > 0) {
    const cpu0 = serverCpu(server);
    const wall0 = performance.now();
    const { accepted, refused } = await produce(server, rate, batch, seconds);
    // Let the last events arrive: stop when every client has everything, or after 5 s.
    const expected = accepted * count;
    const deadline = performance.now() + 5000;
    while (clients.reduce((n, c) => n + c.points, 0) < expected && performance.now() < deadline) await sleep(50);
    const cpu = serverCpu(server) - cpu0;
    const wall = (performance.now() - wall0) / 1000;
    const received = clients.reduce((n, c) => n + c.points, 0);
    latencies.sort((a, b) => a - b);
    Object.assign(result, {
      accepted,
      refused,
      received,
      delivery: expected > 0 ? received / expected : NaN,
      deliveredPerSecond: received / seconds,
      latencyP50: percentile(latencies, 50),
      latencyP90: percentile(latencies, 90),
      latencyP99: percentile(latencies, 99),
      latencyMax: latencies.at(-1) ?? NaN,
      serverCpuPercent: (100 * cpu) / wall,
      serverCpuUsPerPoint: received > 0 ? (cpu * 1e6) / received : NaN,
    });
  }
  const clientCpu = process.cpuUsage(clientCpu0);
  result.rssEndKb = serverRss(server);
  result.clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
  for (const c of clients) c.close();
  await sleep(500);
  return result;
}
