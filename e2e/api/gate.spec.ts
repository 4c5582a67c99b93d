import { expect, test } from '@playwright/test';
import { seriesKeys } from '../support/ingest';
import { rawRequest } from '../support/raw';
import { startServer } from '../support/server';

const text = (name: string) => `${name} 1\n`;
const plain = { 'content-type': 'text/plain' };

test.describe('the request gate', () => {
  test('a page on another site cannot write metrics (CSRF), by Origin or by Sec-Fetch-Site', async ({ baseURL }) => {
    const host = new URL(baseURL!).host;
    const attempts: Array<Record<string, string>> = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      // Another port of the same host is the same site, not the same origin.
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
    ];
    for (const [i, extra] of attempts.entries()) {
      const res = await rawRequest(`${baseURL}/api/ingest`, { method: 'POST', headers: { host, ...plain, ...extra }, body: text(`csrf_forged_${i}`) });
      expect(res.status, JSON.stringify(extra)).toBe(403);
      expect(res.json?.error).toContain('cross-site request refused');
    }
    // The collector's own series could be forged ahead of time before: nothing was stored.
    const forged = await rawRequest(`${baseURL}/api/ingest`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ points: [{ name: 'host_cpu_utilization_ratio', labels: { instance: 'e2e' }, value: 1, timestamp: Date.now() + 60_000 }] }),
    });
    expect(forged.status).toBe(403);
    expect((await seriesKeys(baseURL!)).filter((k) => k.startsWith('csrf_forged_'))).toEqual([]);
    // The dashboard's own origin, and a program with no Origin, still write.
    const own = await rawRequest(`${baseURL}/api/ingest`, { method: 'POST', headers: { host, ...plain, origin: baseURL!, 'sec-fetch-site': 'same-origin' }, body: text('csrf_own_origin') });
    expect(own.status).toBe(202);
  });

  test('a DNS-rebound name is refused on every route, reads and writes; IP literals and localhost are served', async ({ baseURL }) => {
    const port = new URL(baseURL!).port;
    for (const path of ['/', '/metrics', '/api/health', '/api/series', '/api/stream', '/api/metrics', '/api/export?metric=x', '/_next/static/x.js', '/favicon.ico']) {
      const res = await rawRequest(`${baseURL}${path}`, { headers: { host: `rebind.attacker.example:${port}` } });
      expect(res.status, path).toBe(403);
      expect(res.json?.error, path).toContain('ALLOWED_HOSTS');
    }
    const write = await rawRequest(`${baseURL}/api/ingest`, { method: 'POST', headers: { host: `rebind.attacker.example:${port}`, ...plain }, body: text('rebind_write') });
    expect(write.status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(`${baseURL}/api/health`, { headers: { host } })).status, host).toBe(200);
    }
    // No Host at all (HTTP/1.1 requires one).
    expect((await rawRequest(`${baseURL}/api/health`, { headers: {}, setHost: false })).status).toBe(400);
  });

  test('a foreign page cannot open streams or read the API, but a link to the dashboard works', async ({ baseURL }) => {
    const host = new URL(baseURL!).host;
    const stream = await rawRequest(`${baseURL}/api/stream`, { headers: { host, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } });
    expect(stream.status).toBe(403);
    const page = await rawRequest(`${baseURL}/`, { headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(200);
  });

  test('every response carries the security headers, a fresh CSP nonce on each page', async ({ baseURL }) => {
    const seen = new Set<string>();
    for (const path of ['/', '/metrics', '/api/health', '/api/series', '/api/nope', '/icon.svg']) {
      const res = await rawRequest(`${baseURL}${path}`, { headers: { host: new URL(baseURL!).host } });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline\' \'strict');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      seen.add(csp);
      if (path === '/') {
        // Every inline script of the page carries this response's nonce.
        const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
        const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length).toBeGreaterThan(1);
        for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      }
    }
    expect(seen.size).toBe(6);
  });

  test('an unsupported method gets 405 with Allow and the JSON error on every API route', async ({ baseURL }) => {
    const routes: Array<[string, string]> = [
      ['/api/ingest', 'POST'],
      ['/api/stream', 'GET'],
      ['/api/series', 'GET'],
      ['/api/series/up', 'GET'],
      ['/api/export', 'GET'],
      ['/api/metrics', 'GET'],
      ['/api/health', 'GET'],
    ];
    for (const [path, allowed] of routes) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => m !== allowed)) {
        const res = await fetch(`${baseURL}${path}`, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow'), `${method} ${path}`).toContain(allowed);
        const body = (await res.json()) as { error: string; issues: unknown[] };
        expect(body.error).toContain(`${method} is not allowed here`);
        expect(body.issues).toEqual([]);
      }
    }
    const unknown = await fetch(`${baseURL}/api/nope/deeper`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('no API endpoint "/api/nope/deeper"');
  });

  test('a target that is not a path that decodes gets 400 JSON, never a 5xx or a redirect elsewhere', async ({ baseURL }) => {
    const host = new URL(baseURL!).host;
    for (const [method, path] of [['OPTIONS', '*'], ['GET', '*'], ['GET', 'http://evil.example/api/health'], ['GET', '/api/series/%E0%A4%A'], ['GET', '/metrics/%ZZ']] as const) {
      const res = await rawRequest(`${baseURL}/`, { method, headers: { host }, target: path });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.json?.error, `${method} ${path}`).toMatch(/not a path|percent-encoding/);
    }
  });

  test('HEAD /api/stream answers the stream headers and opens no stream', async ({ baseURL }) => {
    const open = async () => ((await (await fetch(`${baseURL}/api/health`)).json()) as { streams: { open: number } }).streams.open;
    const before = await open();
    for (let i = 0; i < 80; i++) {
      const res = await rawRequest(`${baseURL}/api/stream?series=head_${i}`, { method: 'HEAD', headers: { host: new URL(baseURL!).host } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/event-stream');
    }
    expect(await open()).toBe(before);
    // And the operator's own dashboard still gets a stream.
    const res = await fetch(`${baseURL}/api/stream`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    expect(res?.status).toBe(200);
  });

  test('a local proxy that says Forwarded: for=<remote> does not open tokenless ingest', async ({ baseURL }) => {
    for (const forwarded of ['for=203.0.113.9', 'for="[2001:db8::7]:4711";proto=https', 'for=127.0.0.1, for=unknown']) {
      const res = await rawRequest(`${baseURL}/api/ingest`, { method: 'POST', headers: { host: new URL(baseURL!).host, ...plain, forwarded }, body: text('forwarded_write') });
      expect(res.status, forwarded).toBe(403);
      expect(res.json?.error).toContain('INGEST_ALLOW_FROM');
    }
    // A client cannot claim to be the peer it is not.
    const spoof = await rawRequest(`${baseURL}/api/ingest`, { method: 'POST', headers: { host: new URL(baseURL!).host, ...plain, 'x-pulseboard-peer': '10.0.0.1', 'x-pulseboard-gate': 'guess' }, body: text('spoof_ok') });
    expect(spoof.status).toBe(202);
  });
});

test('with ALLOWED_HOSTS and INGEST_TOKEN: the listed name is served, and a browser program with the token may write across origins', async () => {
  const server = await startServer({ env: { ALLOWED_HOSTS: 'dash.example.com,*.internal', INGEST_TOKEN: 'a-token-of-sixteen-plus', HEARTBEAT_INTERVAL: '1s' } });
  try {
    const port = server.port;
    for (const host of ['dash.example.com', `dash.example.com:${port}`, 'pb.ops.internal']) {
      expect((await rawRequest(`${server.url}/api/health`, { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['internal', 'example.com', 'dash.example.com.attacker.example']) {
      expect((await rawRequest(`${server.url}/api/health`, { headers: { host } })).status, host).toBe(403);
    }
    const cross = { host: 'dash.example.com', ...plain, origin: 'https://tools.example.net', 'sec-fetch-site': 'cross-site' };
    expect((await rawRequest(`${server.url}/api/ingest`, { method: 'POST', headers: cross, body: text('token_cross') })).status).toBe(403);
    const withToken = await rawRequest(`${server.url}/api/ingest`, { method: 'POST', headers: { ...cross, authorization: 'Bearer a-token-of-sixteen-plus' }, body: text('token_cross') });
    expect(withToken.status).toBe(202);
  } finally {
    await server.stop('SIGKILL');
  }
});
