import { expect, test } from '@playwright/test';
import { health, readEvents } from '../support/sse';

type Point = { series: string; t: number; v: number };
const pointsOf = (data: string): Point[] => (JSON.parse(data) as { points: Point[] }).points;

test.describe('GET /api/stream', () => {
  test('answers with event-stream headers that keep proxies and compression off, then a retry hint', async ({ baseURL }) => {
    const r = await readEvents(`${baseURL}/api/stream`, { until: (x) => x.retries.length > 0 });
    expect(r.response.status).toBe(200);
    expect(r.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(r.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(r.response.headers.get('x-accel-buffering')).toBe('no');
    expect(r.response.headers.get('content-encoding')).toBeNull();
    expect(r.retries[0]).toBeGreaterThan(0);
  });

  test('sends points events with strictly increasing ids of one epoch', async ({ baseURL }) => {
    const r = await readEvents(`${baseURL}/api/stream`, {
      until: (x) => x.events.filter((e) => e.event === 'points').length >= 3,
    });
    const points = r.events.filter((e) => e.event === 'points');
    expect(points.length).toBeGreaterThanOrEqual(3);
    const ids = points.map((e) => /^([0-9a-z]+)-(\d+)$/.exec(e.id ?? '')!);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids.map((m) => m[1])).size).toBe(1);
    const seqs = ids.map((m) => Number(m[2]));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    for (const e of points) {
      for (const p of pointsOf(e.data)) {
        expect(typeof p.series).toBe('string');
        expect(Number.isFinite(p.t) && Number.isFinite(p.v)).toBe(true);
      }
    }
  });

  test('keeps an idle stream alive with ": ping" comments', async ({ baseURL }) => {
    // The test server runs with HEARTBEAT_INTERVAL=1s; this filter matches nothing, so only pings arrive.
    const r = await readEvents(`${baseURL}/api/stream?series=no_such_metric_*`, {
      until: (x) => x.comments.some((c) => c.trim() === 'ping'),
      timeoutMs: 5_000,
    });
    expect(r.comments.map((c) => c.trim())).toContain('ping');
    expect(r.events.map((e) => e.event)).toEqual(['live']);
  });

  test('filters by comma-separated series globs', async ({ baseURL }) => {
    const globs = ['host_load_average*', 'pulseboard_streams_open{*'];
    const r = await readEvents(`${baseURL}/api/stream?series=${encodeURIComponent(globs.join(','))}`, {
      until: (x) => x.events.filter((e) => e.event === 'points').length >= 2,
    });
    const series = r.events.filter((e) => e.event === 'points').flatMap((e) => pointsOf(e.data).map((p) => p.series));
    expect(series.length).toBeGreaterThan(0);
    expect(series.every((s) => s.startsWith('host_load_average') || s.startsWith('pulseboard_streams_open{'))).toBe(true);
    expect(series.some((s) => s.startsWith('host_load_average'))).toBe(true);
    expect(series.some((s) => s.startsWith('pulseboard_streams_open{'))).toBe(true);
  });

  test('refuses a malformed query with a JSON error naming the parameter', async ({ baseURL }) => {
    const res = await fetch(`${baseURL}/api/stream?series=${Array.from({ length: 80 }, (_, i) => `m${i}`).join(',')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: string; message: string }> };
    expect(body.error).toMatch(/stream query/);
    expect(body.issues[0]?.path).toBe('series');
  });

  test('100 clients connect and disconnect: the open-stream figure returns to 0', async ({ baseURL }) => {
    const before = (await health(baseURL!)).streams.open;
    const clients = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const controller = new AbortController();
        const res = await fetch(`${baseURL}/api/stream`, { signal: controller.signal });
        const reader = res.body!.getReader();
        await reader.read(); // the retry hint: the stream is open on the server
        return { controller, reader };
      }),
    );
    expect((await health(baseURL!)).streams.open).toBe(before + 100);
    for (const c of clients) c.controller.abort();
    await expect.poll(async () => (await health(baseURL!)).streams.open, { timeout: 10_000 }).toBe(0);
  });
});

test('GET /api/health reports the bus, streams and series', async ({ baseURL }) => {
  const res = await fetch(`${baseURL}/api/health`);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: 'ok', instance: 'e2e', bus: { kind: 'memory', state: 'up' } });
  expect(body.series.count).toBeGreaterThan(10);
});
