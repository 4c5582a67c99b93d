import { createClient } from '@redis/client';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '@/e2e/support/redis';
import { RedisBus, type RedisBusOptions } from './redis';
import type { BusMessage } from './types';

// Real redis-server processes of the test's own (never the machine's): started here, killed for faults.
let redis: TestRedis;
const buses: RedisBus[] = [];
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

function bus(options: Partial<RedisBusOptions> = {}): RedisBus {
  const b = new RedisBus({
    url: redis.url,
    streamKey: `test:${process.pid}:${n}`,
    maxLen: 10_000,
    outboxMaxBytes: 1024 * 1024,
    reconnectMaxMs: 200,
    commandTimeoutMs: 2000,
    warmWindowMs: 3_600_000,
    source: 'test',
    limits: { maxPoints: 100, maxLabels: 8, maxLabelValueLength: 64, maxNameLength: 256, maxLabelNameLength: 128, maxSeriesKeyLength: 4096, maxHelpLength: 1024, maxFutureMs: 30_000 },
    log: () => undefined,
    warn: () => undefined,
    ...options,
  });
  buses.push(b);
  return b;
}

/**
 * A TCP relay to the test's Redis that can go silent: while paused it forwards nothing and
 * answers nothing (a network partition: no reset, no error), and connections from then are dropped.
 */
async function partitionableProxy(port: number) {
  let paused = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; stale: boolean }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    const pair = { client, upstream, stale: paused };
    pairs.add(pair);
    const forward = (to: net.Socket) => (d: Buffer) => {
      if (!paused && !pair.stale) to.write(d);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    pause() {
      paused = true;
      for (const pair of pairs) pair.stale = true; // what was in flight is lost for good
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => r());
      }),
  };
}

function collect(b: RedisBus): BusMessage[] {
  const got: BusMessage[] = [];
  b.subscribe((m) => got.push(m));
  return got;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RedisBus', () => {
  it('delivers a batch published on one instance to every instance, in the same order, with the entry id as cursor', async () => {
    n++;
    const a = bus();
    const b = bus();
    await Promise.all([a.ready(5000), b.ready(5000)]);
    await until(() => a.status().state === 'up' && b.status().state === 'up');
    const onA = collect(a);
    const onB = collect(b);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await (i % 2 ? a : b).publish({ samples: [{ series: 'x', t: 1_700_000_000_000 + i, v: i }] }));
    await until(() => onA.length === 20 && onB.length === 20);
    expect(onA.map((m) => m.id)).toEqual(ids);
    expect(onB.map((m) => m.id)).toEqual(ids);
    expect(onB.map((m) => m.samples[0]?.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
  });

  it('publish resolves only after its own reader delivered the batch (read-your-writes)', async () => {
    n++;
    const a = bus();
    await a.ready(5000);
    await until(() => a.status().state === 'up');
    const got = collect(a);
    const id = await a.publish({ samples: [{ series: 'x', t: Date.now(), v: 1 }] });
    expect(got.map((m) => m.id)).toContain(id);
    expect(a.lastId).toBe(id);
  });

  it('a new instance loads the retained window before it is ready (warm start)', async () => {
    n++;
    const a = bus();
    await a.ready(5000);
    await until(() => a.status().state === 'up');
    const now = Date.now();
    for (let i = 0; i < 1500; i++) await a.publish({ samples: [{ series: 'warm', t: now + i, v: i }] });
    const late = bus();
    const got = collect(late);
    await late.ready(10_000);
    expect(got.length).toBe(1500);
    expect(late.lastId).toBe(a.lastId);
  });

  it('reads entries other producers write in the documented forms and skips (and counts) invalid ones', async () => {
    n++;
    const key = `test:${process.pid}:${n}`;
    const a = bus();
    await a.ready(5000);
    await until(() => a.status().state === 'up');
    const got = collect(a);
    const producer = createClient({ url: redis.url });
    await producer.connect();
    try {
      await producer.xAdd(key, '*', { points: JSON.stringify([{ name: 'queue_depth', labels: { queue: 'emails' }, value: 42 }]), source: 'cron' });
      await producer.xAdd(key, '*', { name: 'temperature_celsius', value: '21.5', labels: '{"room":"lab"}', timestamp: String(Date.now()) });
      await producer.xAdd(key, '*', { points: '[{"name":"bad name","value":1}]' });
      await producer.xAdd(key, '*', { hello: 'world' });
      await producer.xAdd(key, '*', { samples: JSON.stringify([{ series: 'up{b="1",a="2"}', t: Date.now(), v: 1 }]) });
    } finally {
      producer.destroy();
    }
    await until(() => a.status().invalidEntries === 3);
    expect(got.flatMap((m) => m.samples.map((s) => `${s.series}=${s.v}`))).toEqual(['queue_depth{queue="emails"}=42', 'temperature_celsius{room="lab"}=21.5']);
    // Without a timestamp a point takes the time of its entry id.
    const first = got[0] as BusMessage;
    expect(first.samples[0]?.t).toBe(Number(first.id.split('-')[0]));
  });

  it('while Redis is down: publish refuses at once, buffered batches wait; after a restart reading resumes with no gap and no duplicate', async () => {
    n++;
    const a = bus();
    const b = bus();
    await Promise.all([a.ready(5000), b.ready(5000)]);
    await until(() => a.status().state === 'up' && b.status().state === 'up');
    const onB = collect(b);
    await a.publish({ samples: [{ series: 'x', t: 1, v: 1 }] });
    await redis.kill();
    await until(() => a.status().state === 'down');
    await expect(a.publish({ samples: [{ series: 'x', t: 2, v: 2 }] })).rejects.toThrow(/nothing was stored/);
    a.publishBuffered({ samples: [{ series: 'x', t: 3, v: 3 }] });
    a.publishBuffered({ samples: [{ series: 'x', t: 4, v: 4 }] });
    expect(a.status().outbox.batches).toBe(2);
    await redis.restart();
    await until(() => onB.length === 3);
    await a.publish({ samples: [{ series: 'x', t: 5, v: 5 }] });
    await until(() => onB.length === 4);
    expect(onB.map((m) => m.samples[0]?.v)).toEqual([1, 3, 4, 5]);
    expect(a.status()).toMatchObject({ state: 'up', outbox: { batches: 0, dropped: 0 } });
  }, 30_000);

  it('a network partition (no reset, no error) is noticed: the bus goes down, publish refuses, and after it reading resumes with no gap', async () => {
    n++;
    const proxy = await partitionableProxy(redis.port);
    try {
      const a = bus({ url: proxy.url, commandTimeoutMs: 500 });
      const b = bus();
      await Promise.all([a.ready(5000), b.ready(5000)]);
      await until(() => a.status().state === 'up' && b.status().state === 'up');
      const onA = collect(a);
      await b.publish({ samples: [{ series: 'x', t: 1, v: 1 }] });
      await until(() => onA.length === 1);
      proxy.pause();
      const paused = Date.now();
      await until(() => a.status().state === 'down', 10_000);
      const noticedMs = Date.now() - paused;
      const refusing = Date.now();
      await expect(a.publish({ samples: [{ series: 'x', t: 9, v: 9 }] })).rejects.toThrow(/nothing was stored|did not confirm/);
      expect(Date.now() - refusing).toBeLessThan(1000);
      await b.publish({ samples: [{ series: 'x', t: 2, v: 2 }] });
      await b.publish({ samples: [{ series: 'x', t: 3, v: 3 }] });
      proxy.resume();
      await until(() => onA.length === 3, 15_000);
      expect(onA.map((m) => m.samples[0]?.v)).toEqual([1, 2, 3]);
      await until(() => a.status().state === 'up');
      // The socket timeouts bound how long a silent connection goes unnoticed.
      expect(noticedMs).toBeLessThan(2000 + 500 + 1500);
    } finally {
      await proxy.close();
    }
  }, 40_000);

  it('after an outage longer than the stream keeps, the instance says which entries it never read', async () => {
    n++;
    const proxy = await partitionableProxy(redis.port);
    const warnings: string[] = [];
    try {
      const a = bus({ url: proxy.url, commandTimeoutMs: 500, warn: (line) => warnings.push(line) });
      const b = bus({ maxLen: 100 });
      await Promise.all([a.ready(5000), b.ready(5000)]);
      await until(() => a.status().state === 'up' && b.status().state === 'up');
      const onA = collect(a);
      await b.publish({ samples: [{ series: 'x', t: 1, v: 0 }] });
      await until(() => onA.length === 1);
      proxy.pause();
      await until(() => a.status().state === 'down', 10_000);
      for (let i = 1; i <= 400; i++) await b.publish({ samples: [{ series: 'x', t: 1 + i, v: i }] });
      proxy.resume();
      await until(() => a.status().state === 'up', 15_000);
      await until(() => warnings.some((w) => w.includes('were removed before this instance read them')), 5_000);
      await until(() => onA.at(-1)?.samples[0]?.v === 400);
      // What the stream still held arrived in order, once each.
      const values = onA.map((m) => m.samples[0]?.v as number);
      expect(values).toEqual([...values].sort((x, y) => x - y));
      expect(new Set(values).size).toBe(values.length);
      expect(values.length).toBeLessThan(401);
    } finally {
      await proxy.close();
    }
  }, 40_000);

  it('the outbox keeps at most its byte bound, dropping the oldest batches and counting them', async () => {
    n++;
    const a = bus({ url: 'redis://127.0.0.1:1', outboxMaxBytes: 1000, reconnectMaxMs: 1000 });
    for (let i = 0; i < 50; i++) a.publishBuffered({ samples: [{ series: 'x', t: i, v: i }] });
    const { outbox } = a.status();
    expect(outbox.bytes).toBeLessThanOrEqual(1000);
    expect(outbox.batches + outbox.dropped).toBe(50);
    expect(outbox.dropped).toBeGreaterThan(0);
  });
});
