import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { rawRequest } from '../support/raw';
import { startServer, type RunningServer } from '../support/server';

/**
 * Every finding of the hardening review as one hostile request against a real `next start`,
 * plus random requests to every surface that parses input. Each must get a 4xx or a correct
 * answer — never a 5xx — while `/api/health`, polled alongside, answers within 200 ms.
 */

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({ env: { HEARTBEAT_INTERVAL: '1s', INSTANCE: 'hostile' } });
  // One metric with three labels: what made the old dashboard filter backtrack for minutes.
  const res = await fetch(`${server.url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ points: [{ name: 'http_requests_total', labels: { route: '/api/orders', status: '200', method: 'GET' }, value: 1 }] }),
  });
  expect(res.status).toBe(202);
  // First requests load the routes: warm them up before anything is timed (a cold page load is not a finding).
  for (const path of ['/', '/metrics', '/api/health', '/api/series']) await (await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(30_000) })).arrayBuffer();
});

test.afterAll(async () => {
  await server?.stop('SIGKILL');
});

/** Runs `hostile` while polling /api/health every 25 ms; returns its status and the slowest health answer. */
async function whileHealthy(hostile: () => Promise<number>): Promise<{ status: number; slowestHealthMs: number }> {
  let done = false;
  let slowest = 0;
  const poll = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      slowest = Math.max(slowest, res?.ok ? performance.now() - started : Infinity);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return { status: await hostile(), slowestHealthMs: slowest };
  } finally {
    done = true;
    await poll;
    slowest = Math.max(slowest, 0);
  }
}

const get = (path: string) => async () => (await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(30_000) }).then(async (r) => (await r.arrayBuffer(), r.status)));
const post = (body: string | (() => ReadableStream<Uint8Array>), type: string) => async () => {
  const init = { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : body(), duplex: 'half', signal: AbortSignal.timeout(30_000) };
  const res = await fetch(`${server.url}/api/ingest`, init as RequestInit);
  await res.arrayBuffer();
  return res.status;
};
/** `bytes` of spaces sent chunked, without Content-Length. */
const chunked = (bytes: number) => () => {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024).fill(32));
    },
  });
};
const raw = (path: string, options: Parameters<typeof rawRequest>[1]) => async () => (await rawRequest(`${server.url}${path}`, options)).status;
/** Opens a stream, reads its first bytes, and lets it go. */
const stream = (query: string) => async () => {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/stream?${query}`, { signal: controller.signal });
  if (res.ok) await res.body?.getReader().read();
  controller.abort();
  return res.status;
};

const digits = (n: number) => '1'.repeat(n);

const findings: Array<{ name: string; want: number | number[]; send: () => Promise<number> }> = [
  { name: '1. dashboard filter *****! over a 3-label metric (/metrics)', want: 200, send: get('/metrics?q=*****!') },
  { name: '1. dashboard filter ******! (/metrics)', want: 200, send: get('/metrics?q=******!') },
  { name: '1. dashboard filter ******! (/)', want: 200, send: get('/?q=******!') },
  { name: '1. a filter of 5,000 stars and a letter (/)', want: 200, send: get(`/?q=${'*'.repeat(5_000)}a`) },
  { name: '2. 100 KB of digits and an x as a text value', want: 400, send: post(`m ${digits(100_000)}x\n`, 'text/plain') },
  { name: '2. 1,000,000 digits and an x as a text value', want: 400, send: post(`m ${digits(1_000_000)}x\n`, 'text/plain') },
  { name: '2. 100 KB of digits as a timestamp', want: 400, send: post(`m 1 ${digits(100_000)}x\n`, 'text/plain') },
  { name: '3. cross-origin text POST (CSRF)', want: 403, send: raw('/api/ingest', { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'csrf 1\n' }) },
  { name: '3. DNS-rebound Host', want: 403, send: raw('/api/series', { headers: { host: 'rebind.attacker.example' } }) },
  { name: '4. a 1,000,000-character metric name', want: 422, send: post(JSON.stringify({ points: [{ name: `a${'b'.repeat(999_999)}`, value: 1 }] }), 'application/json') },
  { name: '4. a 100,000-character label name', want: 422, send: post(JSON.stringify({ points: [{ name: 'm', labels: { [`l${'x'.repeat(99_999)}`]: 'v' }, value: 1 }] }), 'application/json') },
  { name: '5. a stream resuming from an old cursor', want: 200, send: stream('since=0-1') },
  { name: '6. a stream with 64 long distinct globs', want: 200, send: stream(`series=${Array.from({ length: 64 }, (_, i) => `*${'a*'.repeat(20)}${i}`).join(',')}`) },
  { name: '6. a stream filter over the length cap', want: 400, send: stream(`series=${'a'.repeat(5_000)}`) },
  { name: '8. PUT /api/ingest', want: 405, send: raw('/api/ingest', { method: 'PUT', body: '' }) },
  { name: '8. DELETE /api/series', want: 405, send: raw('/api/series', { method: 'DELETE' }) },
  { name: '9. Forwarded: for=<remote> without a token', want: 403, send: raw('/api/ingest', { method: 'POST', headers: { forwarded: 'for=203.0.113.9', 'content-type': 'text/plain' }, body: 'fw 1\n' }) },
  { name: '9. 100 KB of malformed JSON', want: 400, send: post(`{"points":[${'x'.repeat(100_000)}`, 'application/json') },
  { name: '9. a text body with more points than INGEST_MAX_POINTS', want: 413, send: post(Array.from({ length: 20_000 }, (_, i) => `m${i} 1`).join('\n'), 'text/plain') },
  { name: '9. history with points=100000', want: 400, send: get(`/api/series/${encodeURIComponent('http_requests_total{method="GET",route="/api/orders",status="200"}')}?points=100000`) },
  { name: '9. a deeply nested JSON body', want: 400, send: post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'application/json') },
  { name: 'a body over INGEST_MAX_BODY_BYTES, chunked', want: 413, send: post(chunked(2 * 1024 * 1024), 'application/json') },
  { name: 'a 10 KB window duration', want: [400, 404], send: get(`/api/series/x?window=${'1'.repeat(10_000)}s`) },
];

test.describe('each finding, while /api/health keeps answering', () => {
  for (const finding of findings) {
    test(finding.name, async () => {
      const { status, slowestHealthMs } = await whileHealthy(finding.send);
      const want = Array.isArray(finding.want) ? finding.want : [finding.want];
      expect(want, `status ${status}`).toContain(status);
      expect(slowestHealthMs, 'slowest /api/health answer during the request (ms)').toBeLessThan(200);
    });
  }

  test('a refused request never echoes its input in full', async () => {
    const res = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"points":[${'x'.repeat(100_000)}` });
    expect((await res.text()).length).toBeLessThan(2_048);
    const text = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `m ${'9'.repeat(100_000)}x` });
    expect((await text.text()).length).toBeLessThan(2_048);
  });
});

/** Random input to every surface that parses it: a 4xx or a correct answer, never a 5xx. */
test.describe('random input to every parser (fast-check)', () => {
  const runs = { numRuns: 60, interruptAfterTimeLimit: 40_000 };
  const anyText = fc.string({ unit: 'binary', maxLength: 300 });

  test('POST /api/ingest with random JSON and text bodies', async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.record({ points: fc.array(fc.record({ name: anyText, value: fc.oneof(fc.double(), fc.string()), labels: fc.dictionary(anyText, anyText, { maxKeys: 4 }) }), { maxLength: 5 }) }).map((b) => JSON.stringify(b)),
      fc.array(fc.tuple(anyText, fc.oneof(fc.double().map(String), anyText)), { maxLength: 20 }).map((lines) => lines.map(([n, v]) => `${n} ${v}`).join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain'), async (text, type) => {
        const res = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { 'content-type': type }, body: text });
        const answer = await res.text();
        expect(res.status, answer.slice(0, 300)).toBeLessThan(500);
        expect(answer.length).toBeLessThan(64 * 1024);
      }),
      runs,
    );
  });

  test('random query strings on every page and API that reads one', async () => {
    const paths = fc.constantFrom('/?q=', '/?window=', '/?from=1&to=', '/metrics?q=', '/api/series?series=', '/api/export?metric=', '/api/export?metric=up&window=', '/api/series/x?points=', '/api/series/x?window=', '/metrics/');
    await fc.assert(
      fc.asyncProperty(paths, anyText, async (path, value) => {
        const res = await fetch(`${server.url}${path}${encodeURIComponent(value)}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        expect(res.status, `${path}${value}`).toBeLessThan(500);
      }),
      runs,
    );
  });

  test('random stream queries and cursors', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.option(anyText, { nil: undefined }), async (series, since) => {
        const query = new URLSearchParams({ series, ...(since !== undefined && { since }) });
        const status = await stream(query.toString())();
        expect(status, query.toString()).toBeLessThan(500);
      }),
      runs,
    );
  });
});
