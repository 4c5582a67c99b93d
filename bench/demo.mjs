#!/usr/bin/env node
// Pulseboard demo publisher: pushes a small, lively workload over the HTTP API once a second,
// so a fresh dashboard has something of yours to chart beside the host metrics.
//
//   npm run demo                              # to http://127.0.0.1:3000
//   PULSEBOARD_URL=http://host:3000 INGEST_TOKEN=... npm run demo
//   npm run demo -- --seconds 60              # stop after a minute (default: until Ctrl-C)

const url = (process.env.PULSEBOARD_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const token = process.env.INGEST_TOKEN;
const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > -1 ? Number(process.argv[secondsArg + 1]) : Infinity;

const routes = [
  { route: '/', weight: 40, latency: 0.03 },
  { route: '/api/orders', weight: 15, latency: 0.12 },
  { route: '/api/search', weight: 25, latency: 0.08 },
  { route: '/login', weight: 5, latency: 0.2 },
];
const statuses = [
  ['200', 0.94],
  ['404', 0.04],
  ['500', 0.02],
];
const totals = new Map();
let queue = 10;
let progress = 0;
let tick = 0;

const jitter = (x, spread) => x * (1 + (Math.random() * 2 - 1) * spread);

function points() {
  const out = [];
  const surge = 1 + 0.6 * Math.sin(tick / 20); // traffic swells and ebbs over ~2 minutes
  for (const { route, weight, latency } of routes) {
    for (const [status, share] of statuses) {
      const key = `${route} ${status}`;
      const total = (totals.get(key) ?? 0) + Math.round(jitter(weight * share * surge, 0.3));
      totals.set(key, total);
      out.push({ name: 'demo_http_requests_total', labels: { route, status }, value: total });
    }
    // An occasional slow request shows as a spike.
    const slow = Math.random() < 0.03 ? 8 : 1;
    out.push({ name: 'demo_http_request_duration_seconds', labels: { route }, value: jitter(latency * surge * slow, 0.25) });
  }
  queue = Math.max(0, queue + Math.round((Math.random() - 0.48) * 6));
  out.push({ name: 'demo_queue_depth', labels: { queue: 'emails' }, value: queue });
  progress = progress >= 1 ? 0 : Math.min(1, progress + Math.random() * 0.03);
  out.push({ name: 'demo_job_progress_ratio', labels: { job: 'nightly-export' }, value: progress });
  return out;
}

async function push() {
  tick++;
  const res = await fetch(`${url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({
      points: points(),
      metadata: {
        demo_http_requests_total: { help: 'Requests served, by route and status' },
        demo_http_request_duration_seconds: { help: 'Latency of the last request per route' },
        demo_queue_depth: { help: 'Jobs waiting in the queue' },
        demo_job_progress_ratio: { help: 'How far the nightly export has got' },
      },
    }),
  });
  if (res.status !== 202) console.error(`demo: ${res.status} ${await res.text()}`);
  else if (tick === 1) console.log(`demo: pushing to ${url} every second; open ${url} to watch (Ctrl-C stops)`);
}

const started = Date.now();
const timer = setInterval(() => {
  if (Date.now() - started >= seconds * 1000) {
    clearInterval(timer);
    return;
  }
  push().catch((err) => console.error(`demo: cannot reach ${url}: ${err.cause?.code ?? err.message}`));
}, 1000);
push().catch((err) => console.error(`demo: cannot reach ${url}: ${err.cause?.code ?? err.message}`));
