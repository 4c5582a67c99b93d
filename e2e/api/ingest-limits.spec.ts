import { expect, test } from '@playwright/test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { post, postPoints, seriesKeys } from '../support/ingest';
import { startServer } from '../support/server';

/** Longest error body a refusal may have, whatever it was sent. */
const ERROR_BODY_MAX = 2048;
const text = { 'content-type': 'text/plain; version=0.0.4' };

/** POSTs and returns status, the raw body's length and the parsed error. */
async function refusal(baseURL: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${baseURL}/api/ingest`, { method: 'POST', body, headers });
  const raw = await res.text();
  return { status: res.status, length: raw.length, json: JSON.parse(raw) as { error: string; issues: Array<{ path: string; message: string }> } };
}

const said = (json: { error: string; issues: Array<{ path: string; message: string }> }) => [json.error, ...json.issues.map((i) => `${i.path}: ${i.message}`)].join('\n');

test.describe('POST /api/ingest caps names, keys, text and echoes', () => {
  test('a 1,000,000-character metric name → 422 naming INGEST_MAX_NAME_LENGTH, in a small answer; nothing stored', async ({ baseURL }) => {
    const name = `huge_${'a'.repeat(999_995)}`;
    const { status, length, json } = await refusal(baseURL!, JSON.stringify({ points: [{ name, value: 1 }] }));
    expect(status).toBe(422);
    expect(json.issues[0]).toEqual({ path: 'points[0].name', message: 'at most 256 characters (INGEST_MAX_NAME_LENGTH)' });
    expect(length).toBeLessThan(ERROR_BODY_MAX);
    expect((await seriesKeys(baseURL!)).filter((k) => k.startsWith('huge_'))).toEqual([]);
  });

  test('a long label name → 422 naming INGEST_MAX_LABEL_NAME_LENGTH, quoting only its start', async ({ baseURL }) => {
    const { status, length, json } = await refusal(baseURL!, JSON.stringify({ points: [{ name: 'long_label', value: 1, labels: { ['l'.repeat(100_000)]: 'x' } }] }));
    expect(status).toBe(422);
    expect(said(json)).toMatch(/points\[0\]\.labels: label name "l{40}"… \(99960 more characters\) is longer than 128 characters \(INGEST_MAX_LABEL_NAME_LENGTH\)/);
    expect(length).toBeLessThan(ERROR_BODY_MAX);
  });

  test('a series key longer than INGEST_MAX_SERIES_KEY_LENGTH → 422 naming it', async ({ baseURL }) => {
    const labels = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`l${i}`, 'v'.repeat(1000)]));
    const { status, length, json } = await refusal(baseURL!, JSON.stringify({ points: [{ name: 'long_key', value: 1, labels }] }));
    expect(status).toBe(422);
    expect(said(json)).toMatch(/points\[0\]: series key "long_key\{l0=\\"v+"… \(\d+ more characters\) is longer than 4096 characters \(INGEST_MAX_SERIES_KEY_LENGTH\)/);
    expect(length).toBeLessThan(ERROR_BODY_MAX);
  });

  test('100 KB of digits then x as a text value → 400 at once, while /api/health answers within 200 ms', async ({ baseURL }) => {
    const started = Date.now();
    const ingest = refusal(baseURL!, `digits ${'1'.repeat(100_000)}x\n`, text).then((r) => ({ ...r, ms: Date.now() - started }));
    // Health, asked while the body is being read and parsed: the event loop must stay free.
    await new Promise((r) => setTimeout(r, 20));
    const healthStarted = Date.now();
    const health = await fetch(`${baseURL}/api/health`);
    const healthMs = Date.now() - healthStarted;
    const { status, length, json, ms } = await ingest;
    expect(status).toBe(400);
    expect(json.error).toMatch(/line 1: value longer than 64 characters, starting "1{20}"…/);
    expect(length).toBeLessThan(ERROR_BODY_MAX);
    expect(health.status).toBe(200);
    expect(healthMs, 'GET /api/health during the request').toBeLessThan(200);
    expect(ms, 'POST /api/ingest').toBeLessThan(2000);
  });

  test('a text body of more than INGEST_MAX_POINTS samples → 413', async ({ baseURL }) => {
    const { status, json } = await refusal(baseURL!, 'too_many_samples 1\n'.repeat(10_001), text);
    expect(status).toBe(413);
    expect(json.error).toMatch(/more than 10000 samples \(INGEST_MAX_POINTS\)/);
    expect(await seriesKeys(baseURL!)).not.toContain('too_many_samples');
  });

  test('100 KB of malformed JSON, or a 100 KB bad value in text → an error body under 2 KB', async ({ baseURL }) => {
    for (const [body, headers] of [
      [`{"points":[{"name":"x","value":${'1'.repeat(100_000)}x`, { 'content-type': 'application/json' }],
      [`bad_value ${'a'.repeat(100_000)}\n`, text],
      [`bad_tail 1 2 ${'x'.repeat(100_000)}\n`, text],
    ] as const) {
      const { status, length } = await refusal(baseURL!, body, headers);
      expect(status).toBe(400);
      expect(length).toBeLessThan(ERROR_BODY_MAX);
    }
  });
});

test.describe('series Pulseboard’s collector writes', () => {
  const CPU = 'host_cpu_utilization_ratio{instance="e2e"}';

  test('a forged point of the collector’s own series, even far ahead → 422 naming the key; the collector carries on', async ({ baseURL }) => {
    await expect.poll(async () => (await seriesKeys(baseURL!)).includes(CPU), { timeout: 10_000 }).toBe(true);
    const forged = { name: 'host_cpu_utilization_ratio', labels: { instance: 'e2e' }, value: 99, timestamp: Date.now() + 25_000 };
    const { status, json } = await postPoints(baseURL!, [forged]);
    expect(status).toBe(422);
    expect(json.issues?.[0]?.message).toMatch(/^"host_cpu_utilization_ratio\{instance=\\"e2e\\"\}" is written by Pulseboard's own collector; send it under another name, or with another instance label$/);
    const asText = await post(baseURL!, 'host_cpu_utilization_ratio{instance="e2e"} 99\n', text);
    expect(asText.status).toBe(422);
    // The collector's next points are stored as ever: the newest one is its, not 99.
    const before = Date.now();
    await expect
      .poll(async () => {
        const body = (await (await fetch(`${baseURL}/api/series?series=host_cpu_utilization_ratio*`)).json()) as { series: Array<{ key: string; latest: { t: number; v: number } }> };
        const latest = body.series.find((s) => s.key === CPU)?.latest;
        return latest !== undefined && latest.t > before && latest.v <= 1;
      })
      .toBe(true);
    expect(await (await fetch(`${baseURL}/api/metrics`)).text()).toContain('pulseboard_store_dropped_points_total{reason="reserved"}');
  });

  // Its own server: the dashboard specs that share the Playwright server expect its panels only.
  test('prom-client’s default metrics (the collector’s names, without this instance’s label) → 202', async () => {
    const server = await startServer({ env: { INSTANCE: 'e2e-prom' } });
    try {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      const { status, json } = await post(server.url, await registry.metrics(), text);
      expect(status).toBe(202);
      expect(json.accepted).toBeGreaterThan(20);
      expect(await seriesKeys(server.url)).toContain('process_cpu_seconds_total');
      // The collector's first batch may land after the push: wait for it, it must not be refused.
      await expect.poll(() => seriesKeys(server.url)).toContain('process_cpu_seconds_total{instance="e2e-prom"}');
    } finally {
      await server.stop('SIGKILL');
    }
  });
});

test('GET /api/series/<key>?points=100000 → 400 naming the limit', async ({ baseURL }) => {
  const res = await fetch(`${baseURL}/api/series/${encodeURIComponent('host_cpu_utilization_ratio{instance="e2e"}')}?points=100000`);
  expect(res.status).toBe(400);
  const body = (await res.json()) as { issues: Array<{ path: string; message: string }> };
  expect(body.issues).toEqual([{ path: 'points', message: 'at most 10000 points' }]);
});
