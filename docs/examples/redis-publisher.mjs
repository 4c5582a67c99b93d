// Writes points straight into the Redis stream every Pulseboard instance reads, without HTTP.
// The same entry is a few lines in any language with a Redis client: see docs/redis.md.
//
//   REDIS_URL=redis://127.0.0.1:6379 node docs/examples/redis-publisher.mjs
//
// Settings (environment): REDIS_URL (required), REDIS_STREAM_KEY (default pulseboard:points),
// REDIS_STREAM_MAXLEN (default 20000), COUNT (entries to write, default: until Ctrl-C),
// INTERVAL_MS (default 1000).
import { createClient } from '@redis/client';
import os from 'node:os';

const url = process.env.REDIS_URL;
if (!url) {
  console.error('Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379');
  process.exit(2);
}
const key = process.env.REDIS_STREAM_KEY || 'pulseboard:points';
const maxLen = Number(process.env.REDIS_STREAM_MAXLEN || 20000);
const count = Number(process.env.COUNT || Infinity);
const intervalMs = Number(process.env.INTERVAL_MS || 1000);

const client = createClient({ url });
client.on('error', (err) => console.error('redis:', err.message));
await client.connect();

let stop = false;
process.once('SIGINT', () => (stop = true));
for (let i = 0; i < count && !stop; i++) {
  // The same points and metadata as a POST /api/ingest body; a point without a timestamp takes
  // the time of the entry's id.
  const points = [
    { name: 'example_queue_depth', labels: { queue: 'emails', host: os.hostname() }, value: Math.round(50 + 40 * Math.sin(i / 10)) },
    { name: 'example_jobs_processed_total', labels: { host: os.hostname() }, value: i * 3, timestamp: Date.now() },
  ];
  const metadata = { example_queue_depth: { type: 'gauge', unit: 'none', help: 'Jobs waiting, written by docs/examples/redis-publisher.mjs' } };
  const id = await client.xAdd(
    key,
    '*',
    { points: JSON.stringify(points), metadata: JSON.stringify(metadata), source: 'redis-publisher' },
    // Trim as Pulseboard does, so the stream stays within the sizing in docs/redis.md.
    { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen } },
  );
  console.log(`${id} ${points.map((p) => `${p.name}=${p.value}`).join(' ')}`);
  if (i + 1 < count && !stop) await new Promise((r) => setTimeout(r, intervalMs));
}
client.destroy();
