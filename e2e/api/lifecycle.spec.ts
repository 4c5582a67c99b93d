import { expect, test } from '@playwright/test';
import { startServer } from '../support/server';
import { readEvents } from '../support/sse';

test('a bad setting stops start-up with one message naming the variable and what it accepts', async () => {
  const server = await startServer({ env: { COLLECT_INTERVAL: 'fast', MAX_SERIES: '-3' }, waitForHealth: false });
  const { code } = await server.exited;
  expect(code).toBe(1);
  const out = server.output();
  expect(out).toContain('COLLECT_INTERVAL: got "fast"; expected a duration such as 500ms, 15s, 5m or 1h');
  expect(out).toContain('MAX_SERIES: got "-3"; expected a whole number');
  expect(out.match(/cannot start/g)).toHaveLength(1);
});

test('SIGTERM with 200 streams open: each gets a retry hint, the process exits 0 within the deadline', async () => {
  // 200 streams from one address: above MAX_STREAMS_PER_CLIENT's default.
  const server = await startServer({ env: { STREAM_RETRY: '2s', SHUTDOWN_TIMEOUT: '10s', MAX_STREAMS_PER_CLIENT: '1000' } });
  try {
    const readers = Array.from({ length: 200 }, () =>
      readEvents(`${server.url}/api/stream`, { until: () => false, timeoutMs: 20_000 }),
    );
    await expect
      .poll(async () => ((await (await fetch(`${server.url}/api/health`)).json()) as { streams: { open: number } }).streams.open)
      .toBe(200);
    const started = Date.now();
    const exit = await server.stop('SIGTERM');
    const elapsed = Date.now() - started;
    expect(exit.code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    const results = await Promise.all(readers);
    // The first hint comes on connect; the second is the shutdown's "come back later".
    for (const r of results) expect(r.retries.length).toBe(2);
    // Reconnects are spread over SHUTDOWN_DRAIN_WINDOW (default 5 s), never all at once.
    const hints = results.map((r) => r.retries[1]!);
    for (const ms of hints) expect(ms).toBeGreaterThanOrEqual(250);
    for (const ms of hints) expect(ms).toBeLessThanOrEqual(5_250);
    expect(new Set(hints).size).toBeGreaterThan(100);
    console.log(`SIGTERM with 200 streams: exit ${exit.code} after ${elapsed} ms; hints ${Math.min(...hints)}–${Math.max(...hints)} ms`);
  } finally {
    await server.stop('SIGKILL');
  }
});
