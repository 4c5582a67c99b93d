import { expect, test } from '@playwright/test';
import client from 'prom-client';
import { startNodeExporter, startTarget } from '../support/exporter';
import { healthDuring } from '../support/health';
import { startRedis } from '../support/redis';
import { startServer, type RunningServer } from '../support/server';
import { readEvents } from '../support/sse';

// Scrape targets against real processes: Debian's node_exporter, a prom-client app, and targets
// that answer slowly, hugely or with garbage.
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Target = { job: string; instance: string; health: string; lastError: string | null; samples: number | null; scrapedBy: string | null };
const targetsOf = async (s: RunningServer): Promise<Target[]> => ((await (await fetch(`${s.url}/api/scrape`)).json()) as { targets: Target[] }).targets;
type Held = { key: string; name: string; labels: Record<string, string> };
const seriesOf = async (s: RunningServer): Promise<Held[]> => ((await (await fetch(`${s.url}/api/series`)).json()) as { series: Held[] }).series;
const newest = async (s: RunningServer, key: string): Promise<{ t: number; v: number } | undefined> => {
  const res = await fetch(`${s.url}/api/series/${encodeURIComponent(key)}?window=1m`);
  const body = (await res.json()) as { points: Array<[number, number]> };
  const last = body.points.at(-1);
  return last ? { t: last[0], v: last[1] } : undefined;
};

test('node_exporter as a target: its node_* series live with job and instance, agreeing with the built-in collector; stopped, it is down within 2 intervals', async () => {
  const exporter = await startNodeExporter();
  const server = await startServer({ env: { SCRAPE_TARGETS: `node=${exporter.url}`, SCRAPE_INTERVAL: '1s', COLLECT_INTERVAL: '1s', DATA_DIR: 'none' } });
  try {
    const instance = `127.0.0.1:${exporter.port}`;
    await expect.poll(async () => (await targetsOf(server))[0]?.health, { timeout: 10_000 }).toBe('up');
    const held = await seriesOf(server);
    const scraped = held.filter((s) => s.name.startsWith('node_') && s.labels.job === 'node');
    expect(scraped.length).toBeGreaterThan(100);
    expect(scraped.every((s) => s.labels.instance === instance)).toBe(true);
    // On the stream, live: a node_ series of the exporter's among the points.
    const live = await readEvents(`${server.url}/api/stream`, { until: (r) => r.events.some((e) => e.event === 'points' && e.data.includes('job=\\"node\\"') && e.data.includes('node_')), timeoutMs: 5_000 });
    expect(live.events.some((e) => e.event === 'points' && e.data.includes('node_network_receive_bytes_total') && e.data.includes('job=\\"node\\"'))).toBe(true);

    // The same counters, read by both: memory exactly, network bytes within what a second of traffic adds.
    const own = held.find((s) => s.name === 'node_memory_MemTotal_bytes' && s.labels.job === undefined)!;
    expect(own, 'the built-in collector writes node_memory_MemTotal_bytes').toBeTruthy();
    expect((await newest(server, own.key))!.v).toBe((await newest(server, scraped.find((s) => s.name === 'node_memory_MemTotal_bytes')!.key))!.v);
    const device = held.find((s) => s.name === 'node_network_receive_bytes_total' && s.labels.job === undefined && s.labels.device !== 'lo')?.labels.device ?? 'lo';
    const ownNet = held.find((s) => s.name === 'node_network_receive_bytes_total' && s.labels.job === undefined && s.labels.device === device)!;
    const theirNet = scraped.find((s) => s.name === 'node_network_receive_bytes_total' && s.labels.device === device)!;
    const [a, b] = [await newest(server, ownNet.key), await newest(server, theirNet.key)];
    expect(Math.abs(a!.t - b!.t)).toBeLessThan(2_500);
    expect(Math.abs(a!.v - b!.v)).toBeLessThanOrEqual(Math.max(2 * 1024 * 1024, 0.01 * a!.v));

    // Stopped: up turns 0 within 2 intervals, with the error.
    await exporter.stop();
    const stopped = Date.now();
    await expect.poll(async () => (await targetsOf(server))[0]?.health, { timeout: 5_000, intervals: [100] }).toBe('down');
    const upKey = held.find((s) => s.name === 'up' && s.labels.job === 'node')!.key;
    await expect.poll(async () => (await newest(server, upKey))?.v, { timeout: 2_000, intervals: [100] }).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(2_000 + 500);
    expect((await targetsOf(server))[0]?.lastError).toMatch(/ECONNREFUSED/);
  } finally {
    await exporter.stop();
    await server.stop();
  }
});

test('a prom-client app is scraped whole; slow, huge, garbage and too-many-sample targets are bounded and reported, the others unaffected', async () => {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({ name: 'app_requests_total', help: 'Requests', labelNames: ['route'], registers: [registry] });
  const latency = new client.Histogram({ name: 'app_latency_seconds', help: 'Latency', labelNames: ['route'], registers: [registry] });
  for (let i = 0; i < 50; i++) {
    const route = `/r${i}/${'x'.repeat(250)}`;
    requests.inc({ route }, i);
    latency.observe({ route }, i / 100);
  }
  let appScrapes = 0;
  const app = await startTarget(async (_req, res) => {
    appScrapes++;
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  const slow = await startTarget((_req, res) => void setTimeout(() => res.end('late_metric 1\n'), 5_000));
  const huge = await startTarget((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    // 8 MiB of valid lines, chunked: cut off past SCRAPE_MAX_BODY_BYTES as it arrives.
    let sent = 0;
    const line = `huge_metric{i="${'y'.repeat(100)}"} 1\n`.repeat(1000);
    const push = () => {
      while (sent < 8 * 1024 * 1024 && res.write(line)) sent += line.length;
      if (sent >= 8 * 1024 * 1024) res.end();
      else res.once('drain', push);
    };
    res.on('error', () => undefined);
    push();
  });
  const garbage = await startTarget((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('<html><body>Not metrics {{{ "\u0000</body></html>\n');
  });
  const html = await startTarget((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<html></html>');
  });
  const many = await startTarget((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(Array.from({ length: 3_000 }, (_, i) => `many_metric{i="${i}"} ${i}`).join('\n'));
  });
  const server = await startServer({
    env: {
      SCRAPE_TARGETS: [`app=${app.url}`, `slow=${slow.url}`, `huge=${huge.url}`, `garbage=${garbage.url}`, `html=${html.url}`, `many=${many.url}`].join(','),
      SCRAPE_INTERVAL: '1s',
      SCRAPE_MAX_BODY_BYTES: '1MiB',
      SCRAPE_MAX_SAMPLES: '2000',
      DATA_DIR: 'none',
    },
  });
  try {
    await expect.poll(async () => (await targetsOf(server)).map((t) => `${t.job} ${t.health}`), { timeout: 10_000 }).toEqual(['app up', 'slow down', 'huge down', 'garbage down', 'html down', 'many down']);
    const byJob = Object.fromEntries((await targetsOf(server)).map((t) => [t.job, t]));
    expect(byJob.slow!.lastError).toMatch(/no complete answer within 1000 ms/);
    expect(byJob.huge!.lastError).toMatch(/body larger than 1048576 bytes/);
    expect(byJob.garbage!.lastError).toMatch(/malformed Prometheus text: line 1/);
    expect(byJob.html!.lastError).toMatch(/not the Prometheus text format/);
    expect(byJob.many!.lastError).toMatch(/more than 2000 samples/);
    // The app, meanwhile, every second, whole: its histogram's buckets and its 300-character labels.
    const before = appScrapes;
    const worst = await healthDuring(server.url, () => sleep(4_000), 50);
    expect(appScrapes - before).toBeGreaterThanOrEqual(3);
    expect(worst).toBeLessThan(500);
    const held = await seriesOf(server);
    const app50 = held.filter((s) => s.name === 'app_requests_total' && s.labels.job === 'app');
    expect(app50).toHaveLength(50);
    expect(held.filter((s) => s.name === 'app_latency_seconds_bucket' && s.labels.job === 'app').length).toBeGreaterThan(500);
    expect(held.some((s) => s.name === 'process_cpu_user_seconds_total' && s.labels.job === 'app')).toBe(true);
    // Nothing of a refused scrape was kept.
    expect(held.some((s) => s.name === 'many_metric' || s.name === 'huge_metric' || s.name === 'late_metric')).toBe(false);
    const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
    expect(metrics).toMatch(/^pulseboard_scrape_targets_down 5$/m);
  } finally {
    await server.stop();
    for (const t of [app, slow, huge, garbage, html, many]) await t.close();
  }
});

test('with Redis, one instance scrapes each target; when it dies another takes over within the lease', async () => {
  const redis = await startRedis();
  let scrapes = 0;
  const app = await startTarget((_req, res) => {
    scrapes++;
    res.setHeader('content-type', 'text/plain');
    res.end('shared_target_metric 1\n');
  });
  const env = (name: string) => ({ REDIS_URL: redis.url, INSTANCE: name, SCRAPE_TARGETS: `app=${app.url}`, SCRAPE_INTERVAL: '1s', DATA_DIR: 'none', REDIS_RECONNECT_MAX: '300ms' });
  const a = await startServer({ env: env('a') });
  const b = await startServer({ env: env('b') });
  try {
    await expect.poll(async () => (await targetsOf(a))[0]?.scrapedBy, { timeout: 10_000 }).toMatch(/^[ab]$/);
    await sleep(1_500);
    const holder = (await targetsOf(a))[0]!.scrapedBy!;
    expect((await targetsOf(b))[0]!.scrapedBy).toBe(holder);
    const before = scrapes;
    await sleep(5_000);
    // One instance at a time: about one scrape a second, not two.
    expect(scrapes - before).toBeGreaterThanOrEqual(4);
    expect(scrapes - before).toBeLessThanOrEqual(6);
    const [dead, alive] = holder === 'a' ? [a, b] : [b, a];
    await dead.stop('SIGKILL');
    const killed = Date.now();
    await expect.poll(async () => (await targetsOf(alive))[0]?.scrapedBy, { timeout: 10_000, intervals: [200] }).toBe(holder === 'a' ? 'b' : 'a');
    // The lease is 2 intervals past the timeout (3 s here); taken within a scrape after.
    expect(Date.now() - killed).toBeLessThan(5_000);
    const resumed = scrapes;
    await sleep(3_000);
    expect(scrapes - resumed).toBeGreaterThanOrEqual(2);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await app.close();
    await redis.stop();
  }
});
