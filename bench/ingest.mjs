#!/usr/bin/env node
// Ingest throughput: points/s accepted by POST /api/ingest for batches of 1, 100 and 1,000 points,
// over keep-alive on loopback, against a fresh production server. Bounded: each batch size runs
// for SECONDS (default 5) with CONCURRENCY (default 4) requests in flight.
//
//   npm run build && npm run bench:ingest
import { startPulseboard } from './server.mjs';

const SECONDS = Number(process.env.SECONDS ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const SERIES = 100;

function body(batch, offset) {
  const points = [];
  for (let i = 0; i < batch; i++) {
    points.push({ name: 'bench_ingest_value', labels: { n: String((offset + i) % SERIES) }, value: i });
  }
  return JSON.stringify({ points });
}

async function run(url, batch) {
  const payloads = Array.from({ length: 16 }, (_, i) => body(batch, i * batch));
  let accepted = 0;
  let requests = 0;
  let failures = 0;
  const end = Date.now() + SECONDS * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const res = await fetch(`${url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payloads[requests % payloads.length],
      });
      const json = await res.json();
      requests++;
      if (res.status === 202) accepted += json.accepted;
      else failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { batch, requests, failures, pointsPerSecond: accepted / elapsed, requestsPerSecond: requests / elapsed };
}

const server = await startPulseboard();
try {
  await run(server.url, 10); // warm-up: JIT, route compilation
  const rows = [];
  for (const batch of [1, 100, 1000]) rows.push(await run(server.url, batch));
  console.log(`\nIngest throughput (${SECONDS} s per batch size, ${CONCURRENCY} requests in flight, node ${process.version})\n`);
  console.log('| batch | requests/s | points/s | failed requests |');
  console.log('| ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.batch} | ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} | ${Math.round(r.pointsPerSecond).toLocaleString('en-US')} | ${r.failures} |`);
  }
} finally {
  await server.stop();
}
