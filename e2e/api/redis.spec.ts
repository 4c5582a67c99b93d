import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { EventSource } from 'eventsource';
import { startBalancer } from '../support/balancer';
import { postPoints } from '../support/ingest';
import { startRedis, type TestRedis } from '../support/redis';
import { startServer, type RunningServer } from '../support/server';
import { readEvents, valuesOf } from '../support/sse';

// Scale-out against real processes: a redis-server of the test's own (AOF fsynced on every
// write, as docs/redis.md recommends), and `next start` instances sharing its stream.
test.describe.configure({ mode: 'serial', timeout: 120_000 });

type Point = { series: string; t: number; v: number };
type HealthBody = {
  status: string;
  instance: string;
  bus: { kind: string; state: string; cursor: string | null; lastError?: string };
  streams: { open: number };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const healthOf = async (s: RunningServer): Promise<HealthBody> => (await fetch(`${s.url}/api/health`)).json();

let redis: TestRedis;
const servers: RunningServer[] = [];

/** An instance on the shared stream; fast heartbeats and reconnects keep the test short. */
async function instance(name: string): Promise<RunningServer> {
  const server = await startServer({
    env: {
      REDIS_URL: redis.url,
      INSTANCE: name,
      HEARTBEAT_INTERVAL: '1s',
      STREAM_RETRY: '300ms',
      REDIS_RECONNECT_MAX: '300ms',
      SHUTDOWN_DRAIN_WINDOW: '1s',
    },
  });
  servers.push(server);
  return server;
}

/**
 * Sends value i (timestamp base + i) for i in [0, count), each retried after a 503 until it is
 * acknowledged with 202, as a well-behaved producer does; counts what happened.
 */
function produce(url: string, name: string, count: number, everyMs: number) {
  const base = Date.now() - 60_000;
  const stats = { sent: 0, acknowledged: [] as number[], refused: 0, other: [] as number[], networkErrors: 0 };
  let stopped = false;
  const done = (async () => {
    const deadline = Date.now() + 90_000;
    for (let i = 0; i < count && !stopped && Date.now() < deadline; i++) {
      for (;;) {
        if (stopped || Date.now() > deadline) return;
        stats.sent++;
        // A request that failed in transit is retried as is: a repeat of a stored point is kept once.
        const status = await postPoints(url, [{ name, value: i, timestamp: base + i }]).then(
          (r) => r.status,
          () => (stats.networkErrors++, 0),
        );
        if (status === 202) {
          stats.acknowledged.push(i);
          break;
        }
        if (status === 503) stats.refused++;
        else if (status !== 0) stats.other.push(status);
        await sleep(100);
      }
      await sleep(everyMs);
    }
  })();
  return { stats, done, stop: () => ((stopped = true), done) };
}

test.beforeAll(async () => {
  redis = await startRedis();
  await instance('a');
  await instance('b');
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  await redis?.stop();
});

test('both instances report the Redis bus as up, and each one\'s collector shows on the other', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  for (const s of [a, b]) expect(await healthOf(s)).toMatchObject({ status: 'ok', bus: { kind: 'redis', state: 'up' } });
  await expect
    .poll(async () => {
      const body = (await (await fetch(`${b.url}/api/series?series=host_cpu_utilization_ratio*`)).json()) as { series: Array<{ key: string }> };
      return body.series.map((s) => s.key).sort();
    })
    .toEqual(['host_cpu_utilization_ratio{instance="a"}', 'host_cpu_utilization_ratio{instance="b"}']);
});

test('points ingested on instance A reach a client on instance B once each, in order, with stream ids as cursors', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const name = 'redis_a_to_b';
  const reading = readEvents(`${b.url}/api/stream?series=${name}`, { until: (r) => valuesOf(r, name).length >= 200, timeoutMs: 30_000 });
  await sleep(300);
  const producer = produce(a.url, name, 200, 5);
  await producer.done;
  const r = await reading;
  expect(producer.stats.acknowledged).toHaveLength(200);
  expect(valuesOf(r, name)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  const ids = r.events.filter((e) => e.event === 'points').map((e) => e.id ?? '');
  expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
});

test('a client resumes on instance B with a Last-Event-ID it got from instance A: no gap, no duplicate', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const name = 'redis_resume_across';
  const reading = readEvents(`${a.url}/api/stream?series=${name}`, { until: (r) => valuesOf(r, name).length >= 30 });
  await sleep(300); // connected before the first point
  const producer = produce(a.url, name, 400, 10);
  try {
    const first = await reading;
    const cursor = first.events.filter((e) => e.id).at(-1)?.id as string;
    expect(cursor).toMatch(/^\d+-\d+$/);
    await sleep(500); // away while points keep coming
    const seen = valuesOf(first, name);
    const second = await readEvents(`${b.url}/api/stream?series=${name}`, {
      headers: { 'Last-Event-ID': cursor },
      until: (r) => (valuesOf(r, name).at(-1) ?? -1) >= (seen.at(-1) as number) + 60,
    });
    expect(second.events.find((e) => e.event === 'reset')).toBeUndefined();
    const all = [...seen, ...valuesOf(second, name)];
    expect(all).toEqual(all.map((_, i) => i));
  } finally {
    await producer.stop();
  }
});

test('a new instance starts warm: its first page and history already hold what its peers show', async () => {
  const [a] = servers as [RunningServer];
  const name = 'redis_warm_start';
  const producer = produce(a.url, name, 50, 0);
  await producer.done;
  const c = await instance('c');
  const key = encodeURIComponent(name);
  const history = async (s: RunningServer) => ((await (await fetch(`${s.url}/api/series/${key}?window=1h&points=1000`)).json()) as { points: number[][] }).points;
  const onC = await history(c);
  expect(onC).toHaveLength(50);
  expect(onC).toEqual(await history(a));
  const page = await (await fetch(c.url)).text();
  // The rendered page already charts the pushed series and the peers' host metrics.
  expect(page.includes(name), `${name} in the first page of c`).toBe(true);
  expect(page.includes('data-series="host_cpu_utilization_ratio{instance=&quot;a&quot;}"'), 'instance a\'s CPU in the first page of c').toBe(true);
  await c.stop('SIGTERM');
  servers.splice(servers.indexOf(c), 1);
});

test('a producer writing the documented entry format straight to Redis (docs/examples/redis-publisher.mjs) shows on every instance', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const run = spawnSync(process.execPath, ['docs/examples/redis-publisher.mjs'], {
    env: { ...process.env, REDIS_URL: redis.url, COUNT: '3', INTERVAL_MS: '50' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(3);
  for (const s of [a, b]) {
    await expect
      .poll(async () => {
        const body = (await (await fetch(`${s.url}/api/series?series=example_queue_depth*`)).json()) as { series: Array<{ latest: { v: number } }>; metrics: Array<{ help?: string }> };
        return body.series.map((x) => [body.metrics[0]?.help, x.latest.v]);
      })
      .toEqual([['Jobs waiting, written by docs/examples/redis-publisher.mjs', 58]]);
  }
});

test('concurrent writes of one series through two instances: what ingest reports accepted is exactly what is stored', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const name = 'redis_racing_writers';
  const base = Date.now() - 30_000;
  // Timestamps in shuffled order, sent 60 at once alternately through A and B: some lose the race.
  const order = Array.from({ length: 60 }, (_, i) => i).sort(() => Math.random() - 0.5);
  const results = await Promise.all(
    order.map(async (i, k) => {
      const r = await postPoints((k % 2 ? a : b).url, [{ name, value: i, timestamp: base + i * 10 }]);
      return { status: r.status, ...(r.json as { accepted?: number; dropped?: number; warning?: string }) };
    }),
  );
  expect(results.map((r) => r.status).filter((s) => s !== 202 && s !== 422)).toEqual([]);
  const accepted = results.reduce((n, r) => n + (r.status === 202 ? (r.accepted as number) : 0), 0);
  for (const r of results.filter((x) => x.dropped)) expect(r.warning).toMatch(/not stored: 1 older than points of the same series/);
  await sleep(500);
  for (const s of [a, b]) {
    const { points } = (await (await fetch(`${s.url}/api/series/${name}?window=1h&points=1000`)).json()) as { points: number[][] };
    expect(points.length, `points of ${name} stored on ${s.url}`).toBe(accepted);
  }
  console.log(`racing writers: ${results.filter((r) => r.status === 202 && !r.dropped).length} stored, ${results.filter((r) => r.status === 422).length} refused with 422, ${results.filter((r) => r.dropped).length} reported dropped`);
});

test('kill -9 Redis mid-stream: ingest gets 503s, streams stay open, and after a restart every acknowledged point arrives exactly once', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const name = 'redis_outage';
  const total = 300;
  let finished = false;
  let acknowledged = 0;
  const reading = readEvents(`${b.url}/api/stream?series=${name}`, {
    until: (r) => finished && valuesOf(r, name).length >= acknowledged,
    timeoutMs: 100_000,
  });
  await sleep(300);
  const producer = produce(a.url, name, total, 10);
  await expect.poll(() => producer.stats.acknowledged.length).toBeGreaterThan(80);

  await redis.kill();
  // While Redis is down: 503 with Retry-After and a message saying nothing was stored; health degraded.
  await expect.poll(async () => (await healthOf(a)).status).toBe('degraded');
  const refused = await fetch(`${a.url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ points: [{ name: 'redis_outage_probe', value: 1 }] }),
  });
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(((await refused.json()) as { error: string }).error).toMatch(/Redis is unreachable.*nothing was stored/);
  expect((await healthOf(b)).bus).toMatchObject({ state: 'down', lastError: expect.any(String) });
  expect(await (await fetch(`${a.url}/api/metrics`)).text()).toContain('\npulseboard_bus_up 0\n');
  const acknowledgedDuringOutage = producer.stats.acknowledged.length;
  await sleep(2_000);
  expect(producer.stats.acknowledged.length).toBe(acknowledgedDuringOutage); // nothing acknowledged that is not stored
  // The client's stream is still open, kept alive by heartbeats.
  expect((await healthOf(b)).streams.open).toBe(1);

  await redis.restart();
  await expect.poll(async () => (await healthOf(a)).status, { timeout: 15_000 }).toBe('ok');
  await producer.done;
  acknowledged = producer.stats.acknowledged.length;
  finished = true;
  const r = await reading;
  const received = valuesOf(r, name);
  const duplicates = received.length - new Set(received).size;
  console.log(
    `Redis kill -9 for ~2 s: points sent ${producer.stats.sent} (requests), acknowledged ${acknowledged}, refused with 503 ${producer.stats.refused}, ` +
      `received ${received.length}, duplicates ${duplicates}, network errors ${producer.stats.networkErrors}`,
  );
  expect(producer.stats.other).toEqual([]);
  expect(producer.stats.refused).toBeGreaterThan(0);
  expect(acknowledged).toBe(total);
  expect(duplicates).toBe(0);
  expect(received).toEqual(producer.stats.acknowledged);
  expect(r.events.find((e) => e.event === 'reset')).toBeUndefined();
  // Every event once: cursors strictly increase across the outage.
  const ids = r.events.filter((e) => e.event === 'points').map((e) => (e.id as string).split('-').map(Number) as [number, number]);
  for (let i = 1; i < ids.length; i++) expect(ids[i]![0] * 1e6 + ids[i]![1]).toBeGreaterThan(ids[i - 1]![0] * 1e6 + ids[i - 1]![1]);
  // The stream said that data was delayed, and when it no longer was.
  expect(r.events.filter((e) => e.event === 'bus').map((e) => (JSON.parse(e.data) as { state: string }).state)).toEqual(['down', 'up']);
  // Logs say what happened once, not once per reconnection attempt.
  for (const s of [a, b]) {
    expect(s.output().match(/redis: lost the connection/g), s.output()).toHaveLength(1);
    expect(s.output().match(/redis: reconnected after [\d.]+ s; reading resumes after \d+-\d+/g), s.output()).toHaveLength(1);
  }
});

test('SIGTERM one instance with clients attached: they reconnect through the balancer to another and resume with no gap', async () => {
  const [a, b] = servers as [RunningServer, RunningServer];
  const balancer = await startBalancer([a.port, b.port]);
  const name = 'redis_failover';
  const clients = Array.from({ length: 6 }, () => {
    const values: number[] = [];
    let resets = 0;
    const es = new EventSource(`${balancer.url}/api/stream?series=${name}`);
    const errors: string[] = [];
    es.addEventListener('error', (e) => errors.push(`${(e as unknown as { message?: string }).message ?? 'error'} (readyState ${es.readyState})`));
    es.addEventListener('points', (e) => {
      for (const p of (JSON.parse(e.data) as { points: Point[] }).points) if (p.series === name) values.push(p.v);
    });
    es.addEventListener('reset', () => resets++);
    return { values, es, errors, resets: () => resets };
  });
  try {
    await expect.poll(async () => (await healthOf(a)).streams.open).toBe(3);
    const producer = produce(b.url, name, 200, 10);
    await expect.poll(() => producer.stats.acknowledged.length).toBeGreaterThan(50);
    expect((await a.stop('SIGTERM')).code).toBe(0);
    await producer.done;
    await expect
      .poll(() => clients.map((c) => c.values.length), { timeout: 20_000, message: `client errors: ${JSON.stringify(clients.map((c) => c.errors))}; routed ${balancer.routed.join(',')}` })
      .toEqual(clients.map(() => 200));
    for (const c of clients) {
      expect(c.values).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(c.resets()).toBe(0);
    }
    expect((await healthOf(b)).streams.open).toBe(6);
  } finally {
    for (const c of clients) c.es.close();
    await balancer.close();
  }
});
