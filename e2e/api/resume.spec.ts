import { expect, test } from '@playwright/test';
import { postPoints, pushSequence } from '../support/ingest';
import { startServer } from '../support/server';
import { readEvents, valuesOf, type SseRecord } from '../support/sse';

const lastId = (r: SseRecord) => r.events.filter((e) => e.id).at(-1)?.id;

test('a client that drops mid-stream and resumes with Last-Event-ID gets every point once, in order', async ({ baseURL }) => {
  const name = `resume_seq_${Date.now()}`;
  const url = `${baseURL}/api/stream?series=${name}`;
  const producer = pushSequence(baseURL!, name, 20);
  try {
    const first = await readEvents(url, { until: (r) => valuesOf(r, name).length >= 20 });
    const cursor = lastId(first)!;
    // Disconnected: points keep flowing meanwhile.
    await new Promise((r) => setTimeout(r, 500));
    const seenBefore = valuesOf(first, name);
    const second = await readEvents(url, {
      headers: { 'Last-Event-ID': cursor },
      until: (r) => valuesOf(r, name).length > 0 && valuesOf(r, name).at(-1)! >= seenBefore.at(-1)! + 60,
    });
    expect(second.events.find((e) => e.event === 'reset')).toBeUndefined();
    const all = [...seenBefore, ...valuesOf(second, name)];
    expect(all[0]).toBe(0);
    expect(all).toEqual(all.map((_, i) => i)); // no gap, no duplicate
  } finally {
    await producer.stop();
  }
});

test('since= on first connect resumes after the cursor a page was rendered with', async ({ baseURL }) => {
  const name = `since_seq_${Date.now()}`;
  await postPoints(baseURL!, [{ name, value: 0 }]);
  const cursor = ((await (await fetch(`${baseURL}/api/health`)).json()) as { bus: { cursor: string } }).bus.cursor;
  await postPoints(baseURL!, [{ name, value: 1 }]);
  await postPoints(baseURL!, [{ name, value: 2 }]);
  const r = await readEvents(`${baseURL}/api/stream?series=${name}&since=${encodeURIComponent(cursor)}`, {
    until: (x) => x.events.some((e) => e.event === 'live'),
  });
  expect(valuesOf(r, name)).toEqual([1, 2]);
});

test('after a server restart an old cursor gets an explicit reset event, then the stream goes on', async () => {
  let server = await startServer();
  try {
    const name = 'restart_seq';
    await postPoints(server.url, [{ name, value: 1 }]);
    const first = await readEvents(`${server.url}/api/stream?series=${name}`, {
      until: (r) => valuesOf(r, name).length > 0,
    });
    const before = ((await (await fetch(`${server.url}/api/health`)).json()) as { bus: { cursor: string } }).bus.cursor;
    expect(lastId(first) ?? before).toBeTruthy();
    const port = server.port;
    expect((await server.stop('SIGTERM')).code).toBe(0);
    server = await startServer({ port });
    await postPoints(server.url, [{ name, value: 2 }]);
    const second = await readEvents(`${server.url}/api/stream?series=${name}`, {
      headers: { 'Last-Event-ID': before },
      until: (r) => r.events.some((e) => e.event === 'live'),
    });
    const reset = second.events.find((e) => e.event === 'reset');
    expect(reset).toBeDefined();
    expect(JSON.parse(reset!.data).reason).toMatch(/refetch/);
    expect(reset!.id).not.toBe(before);
  } finally {
    await server.stop('SIGKILL');
  }
});

test('over MAX_STREAMS a stream is answered 200 with a retry hint and closed, and counted', async () => {
  const server = await startServer({ env: { MAX_STREAMS: '3' } });
  try {
    const held = Array.from({ length: 3 }, () => readEvents(`${server.url}/api/stream`, { until: () => false, timeoutMs: 8_000 }));
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { streams: { open: number } }).streams.open).toBe(3);
    const shed = await readEvents(`${server.url}/api/stream`, { until: () => false, timeoutMs: 5_000 });
    expect(shed.response.status).toBe(200);
    expect(shed.retries).toHaveLength(1);
    expect(shed.events).toHaveLength(0);
    const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
    expect(metrics).toMatch(/^pulseboard_streams_shed_total 1$/m);
    await server.stop('SIGTERM');
    await Promise.all(held);
  } finally {
    await server.stop('SIGKILL');
  }
});
