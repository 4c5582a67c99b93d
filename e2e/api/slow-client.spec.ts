import net from 'node:net';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { postPoints } from '../support/ingest';
import { startServer } from '../support/server';
import { readEvents, type SseRecord } from '../support/sse';

const pointsIn = (r: SseRecord) =>
  r.events.filter((e) => e.event === 'points').reduce((n, e) => n + (JSON.parse(e.data) as { points: unknown[] }).points.length, 0);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

test('a client that stops reading is cut off at its queue cap; others get everything; it resumes with nothing lost', async () => {
  const server = await startServer({ env: { STREAM_MAX_QUEUE_BYTES: '256KiB', REPLAY_MAX_BYTES: '64MiB' } });
  try {
    await postPoints(server.url, [{ name: 'slow_marker', value: 1 }]); // so there is a cursor to resume from
    const cursor = ((await (await fetch(`${server.url}/api/health`)).json()) as { bus: { cursor: string } }).bus.cursor;
    // The slow client: reads the response head, then never reads again.
    const slow = net.connect(server.port, '127.0.0.1', () =>
      slow.write(`GET /api/stream?series=slow_* HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
    );
    slow.once('data', () => slow.pause());
    slow.on('error', () => {});
    const BATCHES = 40;
    const SERIES = 200;
    const fast = readEvents(`${server.url}/api/stream?series=slow_*`, {
      until: (r) => pointsIn(r) >= BATCHES * SERIES,
      timeoutMs: 30_000,
    });
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { streams: { open: number } }).streams.open).toBe(2);

    const rssBefore = rssMb(server.process.pid!);
    const pad = 'x'.repeat(1000); // ~1 KB per point, so the queue fills quickly
    for (let i = 0; i < BATCHES; i++) {
      const points = Array.from({ length: SERIES }, (_, j) => ({ name: 'slow_metric', labels: { n: String(j), pad }, value: i }));
      expect((await postPoints(server.url, points)).status).toBe(202);
    }
    const fastResult = await fast;
    expect(pointsIn(fastResult)).toBe(BATCHES * SERIES);

    const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
    expect(Number(/^pulseboard_stream_slow_disconnects_total (\d+)$/m.exec(metrics)?.[1])).toBe(1);
    const rssAfter = rssMb(server.process.pid!);
    console.log(`slow client: cut off at the 256 KiB cap; fast client got ${pointsIn(fastResult)} points; RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`);
    // ~8 MB of points were sent; a slow client must not make the server hold copies per stream.
    expect(rssAfter - rssBefore).toBeLessThan(150);
    slow.destroy();

    // It comes back with the last id it had (here: from before the burst) and gets all of it.
    const resumed = await readEvents(`${server.url}/api/stream?series=slow_*`, {
      headers: { 'Last-Event-ID': cursor },
      until: (r) => r.events.some((e) => e.event === 'live'),
      timeoutMs: 30_000,
    });
    expect(resumed.events.find((e) => e.event === 'reset')).toBeUndefined();
    expect(pointsIn(resumed)).toBe(BATCHES * SERIES);
  } finally {
    await server.stop('SIGKILL');
  }
});
