// The review's HELP amplification, measured against one or more production builds side by side:
//
//   node bench/hostile-meta.mjs --dir /work/wt-base --dir .
//
// For each checkout (which must hold a production build, `.next/BUILD_ID`) it starts `next start`
// on a free 127.0.0.1 port (bench/server.mjs, default stream caps, MAX_SERIES=20000), opens one stream that reads
// `series=app_*` as fast as it comes, polls /api/health every 25 ms, and
//   (a) POSTs the review's text body: `# HELP app_requests_total` of 4,096 × U+0001, then 8,500
//       sample lines (~1 MB): its status, and what the stream got for it;
//   (b) POSTs the same family three times with a legitimate 1,000-character HELP, changed each
//       time: what the stream got (bytes, largest event, largest read), and whether every point came;
//   then reads the server's RSS before (a) and after (b), the slowest /api/health, and the size and
//   time of GET / and GET /api/series;
//   (c) opens 10 more streams, each with a filter of its own of 64 globs (raw sockets that read),
//       then POSTs one round of 9,900 points of new series: the request's time, the slowest
//       /api/health over the 5 s after, and how long until every one of the 10 has its points.
// Every request and wait is bounded (REQUEST_TIMEOUT_MS, STREAM_WAIT_MS); only 127.0.0.1 is
// contacted; servers are stopped at the end, on error and on Ctrl-C.
import http from 'node:http';
import net from 'node:net';
import { compareBuilds, request as send, rssKb, startServer } from './server.mjs';

const REQUEST_TIMEOUT_MS = 120_000;
const STREAM_WAIT_MS = 120_000;
const SERIES = 8_500;
const MB = 1e6;

const body = (help, round) =>
  `# HELP app_requests_total ${help}\n# TYPE app_requests_total counter\n${Array.from({ length: SERIES }, (_, i) => `app_requests_total{path="/p${i}"} ${round}`).join('\n')}\n`;

const request = (url, options = {}) => send(url, { ...options, timeoutMs: REQUEST_TIMEOUT_MS });

/**
 * A stream read as fast as it comes, measured without holding it: bytes, the largest read, the
 * largest event (characters between blank lines; the payloads are ASCII) and the samples it
 * carried (each holds `"t":` once).
 */
function readStream(url) {
  const seen = { bytes: 0, largestRead: 0, largestEvent: 0, samples: 0 };
  let event = 0;
  let tail = '';
  let newline = false;
  const ended = () => {
    seen.largestEvent = Math.max(seen.largestEvent, event);
    event = 0;
  };
  const req = http.get(url, { agent: false }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (text) => {
      seen.bytes += Buffer.byteLength(text);
      seen.largestRead = Math.max(seen.largestRead, Buffer.byteLength(text));
      // A match across two reads starts in the last three characters of the one before.
      const joined = tail + text;
      for (let i = joined.indexOf('"t":'); i !== -1; i = joined.indexOf('"t":', i + 4)) seen.samples++;
      tail = joined.slice(-3);
      let from = 0;
      if (newline && text.startsWith('\n')) {
        ended();
        from = 1;
      }
      for (let end = text.indexOf('\n\n', from); end !== -1; end = text.indexOf('\n\n', from)) {
        event += end - from;
        ended();
        from = end + 2;
      }
      event += text.length - from;
      newline = text.endsWith('\n');
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  return { seen, stop: () => req.destroy() };
}

/** Polls /api/health every 25 ms; `stop()` resolves with the slowest answer. */
function pollHealth(url) {
  let stopped = false;
  let worst = 0;
  const done = (async () => {
    while (!stopped) {
      const r = await request(`${url}/api/health`);
      worst = Math.max(worst, r.ms);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return worst;
  })();
  return () => ((stopped = true), done);
}

/** Resolves once `ready()` holds, or after `ms`; whether it held. */
async function waitFor(ready, ms) {
  const deadline = Date.now() + ms;
  while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return ready();
}

// Globs of many pieces: each is searched for along the whole key, one after the other.
const glob = (n, g) => `*${'abcdefghijklmnopqrstuvwxyz'.split('').join('*')}*${n}_${g}`;
const BURST_POINTS = 9_900;

/** (c): 10 streams with new 64-glob filters, then one round of new series. */
async function filterBurst(server) {
  const rows = {};
  const sockets = [];
  const got = Array.from({ length: 10 }, () => false);
  try {
    for (let n = 0; n < 10; n++) {
      // Each filter also matches the burst's series of its own, so each stream has points to wait for.
      const globs = [`burst_total{i="${n}"}`, ...Array.from({ length: 63 }, (_, g) => glob(n, g))].join(',');
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`GET /api/stream?series=${encodeURIComponent(globs)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
      socket.setEncoding('utf8');
      socket.on('data', (text) => {
        if (text.includes('"t":')) got[n] = true;
      });
      socket.on('error', () => {});
      sockets.push(socket);
    }
    await waitFor(() => false, 1_000);
    const stopHealth = pollHealth(server.url);
    const points = Array.from({ length: BURST_POINTS }, (_, i) => ({ name: 'burst_total', labels: { i: String(i) }, value: i }));
    const t0 = performance.now();
    const post = await request(`${server.url}/api/ingest`, { method: 'POST', body: JSON.stringify({ points }), headers: { 'content-type': 'application/json' } });
    const all = await waitFor(() => got.every(Boolean), STREAM_WAIT_MS);
    const allMs = performance.now() - t0;
    await waitFor(() => false, Math.max(0, 5_000 - allMs));
    const slowest = await stopHealth();
    rows['(c) 10 new 64-glob filters, then 9,900 new series: POST'] = `${status(post)} in ${time(post)}`;
    rows['(c) slowest /api/health over the 5 s after'] = `${Math.round(slowest)} ms`;
    rows['(c) every one of the 10 streams has its points after'] = all ? `${Math.round(allMs)} ms` : `not within ${STREAM_WAIT_MS / 1000} s`;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  return rows;
}

const time = (r) => (r.timedOut ? `> ${REQUEST_TIMEOUT_MS / 1000} s` : r.error ? `failed (${r.error})` : r.ms >= 10_000 ? `${(r.ms / 1000).toFixed(1)} s` : `${Math.round(r.ms)} ms`);
const mb = (bytes) => (bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`);
const status = (r) => (r.timedOut ? '(no answer)' : r.error ? '(failed)' : String(r.status));

const servers = new Set();

async function measure(dir) {
  // Room for (b)'s 8,500 series and (c)'s 9,900 besides; every other setting as shipped.
  const server = await startServer('pulseboard', { cwd: dir, liftCaps: false, env: { INSTANCE: 'bench', REDIS_URL: '', MAX_SERIES: '20000' } });
  servers.add(server);
  const rows = {};
  const stream = readStream(`${server.url}/api/stream?series=app_*`);
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopHealth = pollHealth(server.url);
    const rssBefore = rssKb(server.pid);

    const hostile = await request(`${server.url}/api/ingest`, { method: 'POST', body: body('\u0001'.repeat(4_096), 0), headers: { 'content-type': 'text/plain' } });
    rows['(a) review body (HELP of 4,096 × U+0001): status'] = `${status(hostile)} in ${time(hostile)}`;
    const expected = hostile.status === 202 ? SERIES : 0;
    await waitFor(() => stream.seen.samples >= expected, STREAM_WAIT_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    rows['(a) stream got for it: bytes, largest event'] = `${mb(stream.seen.bytes)}, ${mb(stream.seen.largestEvent)}`;

    const before = { ...stream.seen };
    stream.seen.largestEvent = 0;
    stream.seen.largestRead = 0;
    const help = 'Requests served, by path: '.repeat(50).slice(0, 995);
    const posts = [];
    for (let round = 1; round <= 3; round++) {
      posts.push(await request(`${server.url}/api/ingest`, { method: 'POST', body: body(`${help} (${round})`, round), headers: { 'content-type': 'text/plain' } }));
    }
    const all = await waitFor(() => stream.seen.samples >= before.samples + 3 * SERIES, STREAM_WAIT_MS);
    const slowest = await stopHealth();
    const rssAfter = rssKb(server.pid);
    rows['(b) 3 HELP changes (1,000 chars): statuses, slowest request'] = `${posts.map(status).join(', ')}; ${time(posts.reduce((a, b) => (b.ms > a.ms ? b : a)))}`;
    rows['(b) stream got: bytes, largest event, largest read'] = `${mb(stream.seen.bytes - before.bytes)}, ${mb(stream.seen.largestEvent)}, ${mb(stream.seen.largestRead)}`;
    rows['(b) stream got every point'] = all ? 'yes' : `no: ${stream.seen.samples - before.samples} of ${3 * SERIES} within ${STREAM_WAIT_MS / 1000} s`;
    rows['server RSS before (a) → after (b)'] = `${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MB`;
    rows['slowest /api/health (every 25 ms, (a) and (b))'] = `${Math.round(slowest)} ms`;
    const page = await request(`${server.url}/`);
    rows['GET /: size, time'] = `${mb(page.bytes)}, ${time(page)}`;
    const list = await request(`${server.url}/api/series`);
    rows['GET /api/series: size, time'] = `${mb(list.bytes)}, ${time(list)}`;
    Object.assign(rows, await filterBurst(server));
  } finally {
    stream.stop();
    await server.stop(5_000);
    servers.delete(server);
  }
  return rows;
}

const stopAll = async () => {
  for (const server of servers) await server.stop(0);
};

await compareBuilds('hostile-meta.mjs', process.argv.slice(2), measure, { stopAll });
