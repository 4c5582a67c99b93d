import { expect, test } from '@playwright/test';
import { cases, ok } from '../support/ingest-cases';
import { post, postPoints, seriesKeys } from '../support/ingest';
import { rawRequest } from '../support/raw';
import { startServer, type RunningServer } from '../support/server';

// `next start` answers POST /api/ingest from its request gate with the route's own function
// (INGEST_DIRECT=on, the default); INGEST_DIRECT=off sends it through Next.js' route. Both ways in
// must answer every request alike: same status, same body, same headers that matter.

// `connection` differs by design: a direct refusal before the body was read closes the connection
// (the test at the end shows why); through Next.js it is kept alive.
const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'retry-after',
  'www-authenticate',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-resource-policy',
  'cross-origin-opener-policy',
];

const pick = (headers: Headers) => Object.fromEntries(COMPARED_HEADERS.map((name) => [name, headers.get(name)]));
/** `pulseboard_requests_direct_total` of a server. */
async function direct(url: string): Promise<number> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('pulseboard_requests_direct_total '));
  expect(line, 'pulseboard_requests_direct_total in /api/metrics').toBeDefined();
  return Number(line!.split(' ')[1]);
}

/** POSTs to /api/ingest with a query string, which the direct path ignores as the route does. */
async function postWithQuery(url: string, body: string): ReturnType<typeof post> {
  const res = await fetch(`${url}/api/ingest?ignored=1`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Awaited<ReturnType<typeof post>>['json'] };
}

test.describe('ingest answers alike directly and through Next.js', () => {
  let viaNext: RunningServer;
  let viaGate: RunningServer;
  test.beforeAll(async () => {
    [viaGate, viaNext] = await Promise.all([startServer(), startServer({ env: { INGEST_DIRECT: 'off' } })]);
  });
  test.afterAll(async () => {
    await Promise.all([viaGate?.stop(), viaNext?.stop()]);
  });

  test('every refusal of the ingest suite, and an acceptance, answer the same on both', async () => {
    const before = await direct(viaGate.url);
    for (const [i, c] of cases.entries()) {
      const metric = `direct_case_${i}`;
      const [a, b] = [await c.send(viaGate.url, metric), await c.send(viaNext.url, metric)];
      expect(a.status, c.name).toBe(c.status);
      expect({ status: b.status, json: b.json, headers: pick(b.headers) }, c.name).toEqual({ status: a.status, json: a.json, headers: pick(a.headers) });
    }
    const sends = [
      (url: string) => postPoints(url, [ok('accepted_alike'), { name: 'accepted_alike', labels: { a: 'b' }, value: 2 }]),
      (url: string) => post(url, '# TYPE text_alike counter\ntext_alike_total 3\ntext_alike_total{x="1"} NaN\n', { 'content-type': 'text/plain; version=0.0.4' }),
      (url: string) => postWithQuery(url, JSON.stringify({ points: [ok('query_alike')] })),
    ];
    for (const send of sends) {
      const [a, b] = [await send(viaGate.url), await send(viaNext.url)];
      expect(a.status).toBe(202);
      expect({ status: b.status, json: b.json, headers: pick(b.headers) }).toEqual({ status: a.status, json: a.json, headers: pick(a.headers) });
    }
    expect((await seriesKeys(viaGate.url)).filter((k) => k.includes('alike')).sort()).toEqual((await seriesKeys(viaNext.url)).filter((k) => k.includes('alike')).sort());
    // The gate answered every one of those itself on one server and none on the other.
    expect((await direct(viaGate.url)) - before).toBe(cases.length + sends.length);
    expect(await direct(viaNext.url)).toBe(0);
  });

  test('access refusals (forwarded for a remote client, a foreign page) answer the same on both', async () => {
    const body = JSON.stringify({ points: [ok('refused_alike')] });
    const requests: Array<Record<string, string>> = [
      { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      { 'content-type': 'application/json', forwarded: 'for="[2001:db8::1]:4711"' },
      { 'content-type': 'application/json', origin: 'http://evil.example' },
    ];
    for (const headers of requests) {
      const [a, b] = [await post(viaGate.url, body, headers), await post(viaNext.url, body, headers)];
      expect(a.status).toBe(403);
      expect({ status: b.status, json: b.json, headers: pick(b.headers) }).toEqual({ status: a.status, json: a.json, headers: pick(a.headers) });
    }
    // Other methods, a trailing slash and a longer path are Next.js' to answer on both.
    for (const [method, target] of [['GET', '/api/ingest'], ['PUT', '/api/ingest'], ['POST', '/api/ingest/x']] as const) {
      const send = (s: RunningServer) => rawRequest(`${s.url}${target}`, { method, headers: { host: `127.0.0.1:${s.port}` } });
      const [a, b] = [await send(viaGate), await send(viaNext)];
      expect(b.status, `${method} ${target}`).toBe(a.status);
      expect(b.json, `${method} ${target}`).toEqual(a.json);
    }
    expect(await seriesKeys(viaGate.url)).not.toContain('refused_alike');
  });

  test('a client that goes away mid-body, and one that never finishes, leave the server serving', async () => {
    const url = new URL(viaGate.url);
    const net = await import('node:net');
    for (const ending of ['destroy', 'stall'] as const) {
      const socket = net.connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST /api/ingest HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"points":[{"name":"half`);
      if (ending === 'destroy') socket.destroy();
      else setTimeout(() => socket.destroy(), 500);
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    const { status } = await postPoints(viaGate.url, [ok('after_abandoned_bodies')]);
    expect(status).toBe(202);
    expect(await seriesKeys(viaGate.url)).toContain('after_abandoned_bodies');
    expect(await seriesKeys(viaGate.url)).not.toContain('half');
  });
});

test('a refusal before the body is read leaves a kept-alive connection usable', async () => {
  const http = await import('node:http');
  const server = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (body: string, type: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/api/ingest`, { method: 'POST', agent, headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(4_000, () => req.destroy(new Error('timed out: the connection stalled')));
      req.on('error', reject);
      req.end(body);
    });
  try {
    // 415 on its Content-Type, with 500 KB of body unread; then a good request on the same agent.
    expect(await send(' '.repeat(500_000), 'text/xml')).toBe(415);
    expect(await send(JSON.stringify({ points: [ok('after_unread_body')] }), 'application/json')).toBe(202);
  } finally {
    agent.destroy();
    await server.stop();
  }
});
