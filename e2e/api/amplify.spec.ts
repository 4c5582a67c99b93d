import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createParser } from 'eventsource-parser';
import { post } from '../support/ingest';
import { startServer, type RunningServer } from '../support/server';

// The review's request: one family of 8,500 series with a long HELP, about 1 MB of text.
const SERIES = 8_500;
const samples = (round: number) => Array.from({ length: SERIES }, (_, i) => `app_requests_total{path="/p${i}"} ${round}`).join('\n');
const text = (help: string, round: number) => `# HELP app_requests_total ${help}\n# TYPE app_requests_total counter\n${samples(round)}\n`;
const postText = (server: RunningServer, body: string) => post(server.url, body, { 'content-type': 'text/plain' });
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream read as fast as it comes: the largest read and event, the bytes, and the samples of each series. */
function readStream(url: string) {
  const seen = { chunks: 0, largestChunk: 0, largestEvent: 0, bytes: 0, points: 0, helps: [] as string[] };
  const controller = new AbortController();
  const parser = createParser({
    onEvent: (e) => {
      seen.largestEvent = Math.max(seen.largestEvent, Buffer.byteLength(e.data));
      const data = JSON.parse(e.data) as { points?: unknown[]; metrics?: Array<{ help?: string }> };
      if (e.event === 'points') seen.points += data.points?.length ?? 0;
      if (e.event === 'series') for (const m of data.metrics ?? []) if (m.help) seen.helps.push(m.help);
    },
  });
  const done = (async () => {
    const response = await fetch(url, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) return;
        seen.chunks++;
        seen.bytes += value.byteLength;
        seen.largestChunk = Math.max(seen.largestChunk, value.byteLength);
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return { seen, stop: async () => (controller.abort(), done) };
}

/** Polls /api/health every 25 ms until stopped; resolves with the slowest answer in ms. */
function pollHealth(server: RunningServer) {
  let stopped = false;
  let worst = 0;
  const done = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      await (await fetch(`${server.url}/api/health`)).arrayBuffer();
      worst = Math.max(worst, performance.now() - t0);
      await sleep(25);
    }
    return worst;
  })();
  return { stop: () => ((stopped = true), done) };
}

test('a HELP of control characters is refused, and a legit 1,000-character HELP over 8,500 series changed on every request stays small everywhere', async () => {
  test.setTimeout(120_000);
  // The collector is off here: this measures HELP amplification (bench:collect measures the collector).
  const server = await startServer({ env: { HEARTBEAT_INTERVAL: '1s', COLLECT_INTERVAL: '1h' } });
  try {
    // The review's body: 4,096 × U+0001 of help, 8,500 samples (~1 MB). Refused whole, at its line.
    const hostile = await postText(server, text('\u0001'.repeat(4_096), 0));
    expect(hostile.status).toBe(422);
    expect(hostile.json.issues?.[0]).toMatchObject({ path: 'line 1', message: expect.stringMatching(/INGEST_MAX_HELP_LENGTH/) as unknown });
    expect((await postText(server, text(`ok${'\u0001'.repeat(10)}`, 0))).json.issues?.[0]?.message).toMatch(/control characters \(U\+0001/);

    const stream = readStream(`${server.url}/api/stream?series=app_*`);
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { streams: { open: number } }).streams.open).toBe(1);
    const health = pollHealth(server);
    const rssBefore = rssMb(server.process.pid!);
    const help = 'Requests served, by path: '.repeat(50).slice(0, 1_000);
    for (let round = 1; round <= 3; round++) expect((await postText(server, text(`${help.slice(0, 995)} (${round})`, round))).status).toBe(202);
    await expect.poll(() => stream.seen.points, { timeout: 30_000 }).toBe(3 * SERIES);
    const slowest = await health.stop();
    const rssAfter = rssMb(server.process.pid!);
    await stream.stop();
    const { seen } = stream;
    console.log(
      `3 HELP changes × 8,500 series: stream got ${(seen.bytes / 1e6).toFixed(2)} MB in ${seen.chunks} reads, largest read ${(seen.largestChunk / 1024).toFixed(0)} KB, largest event ${(seen.largestEvent / 1024).toFixed(0)} KB; ` +
        `RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB; slowest /api/health ${slowest.toFixed(0)} ms`,
    );
    // Each help at most once per request, not once per series (requests landing in one flush carry
    // only the newest description), the newest last; every event a bounded piece.
    const helps = seen.helps.map((h) => h.slice(-3));
    expect(helps.length).toBeGreaterThanOrEqual(1);
    expect(helps.length).toBeLessThanOrEqual(3);
    expect(new Set(helps).size).toBe(helps.length);
    expect(helps.at(-1)).toBe('(3)');
    expect(seen.largestEvent).toBeLessThanOrEqual(64 * 1024);
    expect(seen.bytes).toBeLessThan(3 * 1024 * 1024);
    expect(rssAfter - rssBefore).toBeLessThan(150);
    // Not frozen: /api/health answers within a second while the requests are taken (a loaded CI
    // has shown 230 ms; a timing goal belongs to the bench, this only catches a stall).
    expect(slowest).toBeLessThan(1_000);

    // The page and the list carry the help once, and the page at most SNAPSHOT_MAX_POINTS points.
    const t0 = performance.now();
    const page = await (await fetch(`${server.url}/`)).arrayBuffer();
    const pageMs = performance.now() - t0;
    const list = await (await fetch(`${server.url}/api/series`)).arrayBuffer();
    console.log(`GET / ${(page.byteLength / 1e6).toFixed(2)} MB in ${pageMs.toFixed(0)} ms; GET /api/series ${(list.byteLength / 1e6).toFixed(2)} MB`);
    expect(page.byteLength).toBeLessThan(8 * 1024 * 1024);
    expect(new TextDecoder().decode(page).split('(3)').length - 1).toBeLessThanOrEqual(2);
    expect(list.byteLength).toBeLessThan(2 * 1024 * 1024);
  } finally {
    await server.stop('SIGKILL');
  }
});
