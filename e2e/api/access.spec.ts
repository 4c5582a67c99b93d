import { execFileSync, spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { authDir, signIn } from '../support/auth';
import { postPoints } from '../support/ingest';
import { rawRequest } from '../support/raw';
import { freePort, startServer, type RunningServer } from '../support/server';
import { readEvents } from '../support/sse';

const PAY = 'team="payments"';

test.describe('safe by default', () => {
  test('npm start listens on loopback only; HOST=0.0.0.0 without AUTH warns loudly', async () => {
    for (const host of [undefined, '0.0.0.0']) {
      const port = await freePort();
      const child = spawn('npm', ['run', '-s', 'serve'], { env: { ...process.env, PORT: String(port), DATA_DIR: 'none', NEXT_TELEMETRY_DISABLED: '1', ...(host && { HOST: host }) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await expect.poll(() => out, { timeout: 20_000 }).toMatch(/\[pulseboard\] (?:access:|WARNING)/);
        const listening = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(/\s+/)[3]);
        if (host === undefined) {
          expect(listening).toEqual([`127.0.0.1:${port}`]);
          expect(out).toContain('AUTH=none, listening on loopback only');
          expect(out).not.toContain('WARNING');
        } else {
          expect(listening).toEqual([`0.0.0.0:${port}`]);
          expect(out).toMatch(/WARNING: listening on 0\.0\.0\.0 \(every interface\) with AUTH=none: ANYONE WHO CAN REACH THIS PORT CAN READ/);
        }
      } finally {
        process.kill(-child.pid!, 'SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  });
});

test.describe('AUTH=password', () => {
  let server: RunningServer;
  let tokens: Record<string, string>;
  test.beforeAll(async () => {
    const made = authDir({
      users: [
        { name: 'alice', password: 'alice-password-1' },
        { name: 'bob', password: 'bob-password-12', scope: PAY },
      ],
      tokens: [
        { name: 'reader', role: 'read' },
        { name: 'writer', role: 'write' },
        { name: 'both', role: 'read,write' },
        { name: 'pay-writer', role: 'write', scope: PAY },
        { name: 'pay-reader', role: 'read', scope: PAY },
      ],
    });
    tokens = made.tokens;
    server = await startServer({ env: { AUTH: 'password', DATA_DIR: made.dir, INGEST_TOKEN: 'legacy-ingest-token-123', LOGIN_MAX_FAILURES: '3' } });
    const push = (team: string, v: number) => ({ name: 'team_requests_total', labels: { team, route: `/${team}/api` }, value: v });
    const res = await fetch(`${server.url}/api/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({ points: [push('payments', 1), push('search', 2), { name: 'search_only_metric', labels: { team: 'search', secret: 'search-label-value' }, value: 3 }] }),
    });
    expect(res.status).toBe(202);
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('every route × every credential answers as it should', async () => {
    const session = await signIn(server.url, 'alice', 'alice-password-1');
    expect(session).not.toBeNull();
    const creds: Record<string, Record<string, string>> = {
      none: {},
      'wrong token': { authorization: 'Bearer pb_not-a-token-at-all' },
      'read token': { authorization: `Bearer ${tokens.reader}` },
      'write token': { authorization: `Bearer ${tokens.writer}` },
      'scoped token': { authorization: `Bearer ${tokens['pay-reader']}` },
      INGEST_TOKEN: { authorization: 'Bearer legacy-ingest-token-123' },
      session: { cookie: session! },
    };
    const reads = ['/', '/metrics', '/metrics/team_requests_total', '/api/series', '/api/series/x', '/api/query?q=up', '/api/export?metric=team_requests_total', '/api/metrics', '/api/stream'];
    const expected: Record<string, (path: string) => number> = {
      none: (p) => (p.startsWith('/api/') ? 401 : 303),
      'wrong token': () => 401,
      'read token': (p) => (p === '/api/series/x' ? 404 : 200),
      'write token': () => 403,
      'scoped token': (p) => (p === '/api/series/x' ? 404 : 200),
      INGEST_TOKEN: () => 403,
      session: (p) => (p === '/api/series/x' ? 404 : 200),
    };
    const table: string[] = [];
    for (const [who, headers] of Object.entries(creds)) {
      for (const path of reads) {
        const method = path === '/api/stream' ? 'HEAD' : 'GET';
        const res = await rawRequest(`${server.url}${path}`, { method, headers: { host: `127.0.0.1:${server.port}`, ...headers } });
        const want = expected[who]!(path);
        if (res.status !== want) table.push(`${who} ${method} ${path}: ${res.status}, expected ${want}`);
        if (res.status === 401 && method === 'GET') expect(res.json?.error, `${who} ${path}`).toMatch(/authentication required/);
      }
      const write = await rawRequest(`${server.url}/api/ingest`, {
        method: 'POST',
        headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ points: [{ name: 'write_check', labels: { team: 'payments' }, value: 1 }] }),
      });
      const wantWrite = { none: 401, 'wrong token': 401, 'read token': 403, 'write token': 202, 'scoped token': 403, INGEST_TOKEN: 202, session: 403 }[who];
      if (write.status !== wantWrite) table.push(`${who} POST /api/ingest: ${write.status}, expected ${wantWrite}`);
      // Health: public, but its figures only with the read role.
      const health = await rawRequest(`${server.url}/api/health`, { headers: { host: `127.0.0.1:${server.port}`, ...headers } });
      const detailed = health.json !== undefined && 'streams' in (health.json as object);
      const wantDetail = ['read token', 'session'].includes(who);
      if (health.status !== 200 || detailed !== wantDetail) table.push(`${who} GET /api/health: ${health.status}, detailed ${detailed}`);
    }
    expect(table).toEqual([]);
  });

  test('no path spelling reaches data without credentials', async () => {
    const host = { host: `127.0.0.1:${server.port}` };
    for (const target of ['/_next/static/%2e%2e/%2e%2e/api/series', '/_next/static/../../api/series', '/_next/static/chunks/../../../', '/_next/static/..%2f..%2fapi/series', '/_next/static/.%2E/.%2E/metrics/team_requests_total']) {
      const res = await rawRequest(server.url, { target, headers: host });
      expect([303, 400, 401, 404], target).toContain(res.status);
      expect(res.body, target).not.toContain('team_requests_total{');
    }
    const post = await rawRequest(server.url, { method: 'POST', target: '/_next/static/%2e%2e/%2e%2e/api/ingest', headers: { ...host, 'content-type': 'application/json' }, body: JSON.stringify({ points: [{ name: 'sneaked_in', value: 1 }] }) });
    expect(post.status).toBe(400);
    // Under AUTH=password a loopback peer without a token is not a writer either.
    expect((await postPoints(server.url, [{ name: 'sneaked_in', value: 1 }])).status).toBe(401);
  });

  test('a scoped write token learns nothing of series outside its scope from its refusals', async () => {
    // An old point for an existing series of the other team: refused for the scope, not for its age.
    const res = await fetch(`${server.url}/api/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['pay-writer']}` },
      body: JSON.stringify({ points: [{ name: 'team_requests_total', labels: { team: 'search', route: '/search/api' }, value: 1, timestamp: Date.now() - 60_000 }] }),
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain('outside the scope');
    expect(text).not.toContain('newest stored point');
  });

  test('a scoped token writes only inside its scope, whole requests refused', async () => {
    const send = (team: string) =>
      fetch(`${server.url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['pay-writer']}` },
        body: JSON.stringify({ points: [{ name: 'scoped_write', labels: { team: 'payments' }, value: 1 }, { name: 'scoped_write', labels: { team }, value: 2 }] }),
      });
    const outside = await send('search');
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: string }).error).toMatch(/may write only series matching team="payments"/);
    expect((await send('payments')).status).toBe(202);
    const keys = ((await (await fetch(`${server.url}/api/series`, { headers: { authorization: `Bearer ${tokens.reader}` } })).json()) as { series: Array<{ key: string }> }).series.map((s) => s.key);
    expect(keys.filter((k) => k.startsWith('scoped_write'))).toEqual(['scoped_write{team="payments"}']);
  });

  test('a scoped user and a scoped token never get a byte of the other team', async () => {
    const bob = await signIn(server.url, 'bob', 'bob-password-12');
    expect(bob).not.toBeNull();
    const who: Array<Record<string, string>> = [{ cookie: bob! }, { authorization: `Bearer ${tokens['pay-reader']}` }];
    for (const headers of who) {
      const bodies: Array<{ path: string; text: string }> = [];
      for (const path of ['/', '/metrics', '/metrics/team_requests_total', '/metrics/search_only_metric', '/api/series', '/api/query?q=team_requests_total', '/api/export?metric=team_requests_total', '/api/export?metric=search_only_metric', '/api/metrics', '/api/series/search_only_metric%7Bsecret%3D%22search-label-value%22%2Cteam%3D%22search%22%7D']) {
        const res = await fetch(`${server.url}${path}`, { headers });
        bodies.push({ path: decodeURIComponent(path), text: `${res.status} ${await res.text()}` });
      }
      // A push of the other team while the stream is open, a resume from an old cursor, and a reset.
      const live = readEvents(`${server.url}/api/stream`, { headers, until: (r) => r.events.filter((e) => e.event === 'points').length >= 2, timeoutMs: 5_000 });
      await new Promise((r) => setTimeout(r, 300));
      for (const team of ['search', 'payments']) await postPoints(server.url, [{ name: 'team_requests_total', labels: { team, route: `/${team}/api` }, value: 5 }]).catch(() => null);
      await fetch(`${server.url}/api/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
        body: JSON.stringify({ points: ['search', 'payments'].map((team) => ({ name: 'team_requests_total', labels: { team, route: `/${team}/api` }, value: 6 })) }),
      });
      const streamed = await live;
      const resumed = await readEvents(`${server.url}/api/stream`, { headers: { ...headers, 'last-event-id': streamed.events.find((e) => e.id)?.id ?? '' }, until: (r) => r.events.some((e) => e.event === 'live'), timeoutMs: 3_000 });
      const reset = await readEvents(`${server.url}/api/stream`, { headers: { ...headers, 'last-event-id': 'not-a-cursor-0' }, until: (r) => r.events.some((e) => e.event === 'live'), timeoutMs: 3_000 });
      const events = [streamed, resumed, reset].flatMap((r) => r.events.map((e) => `${e.event} ${e.data}`));
      expect(events.join('\n')).toContain('payments');
      // What a request names itself (a 404 page's title) is only what the user typed.
      for (const secret of ['/search/api', 'search_only_metric', 'search-label-value', 'host_cpu', 'pulseboard_streams_open']) {
        const seen = [...bodies.filter((b) => !b.path.includes(secret)).map((b) => `${b.path} ${b.text}`), ...events].filter((text) => text.includes(secret));
        expect(seen.map((t) => t.slice(0, 300)), secret).toEqual([]);
      }
      expect(reset.events.some((e) => e.event === 'reset')).toBe(true);
    }
  });

  test('sign-in: one generic error, locked after LOGIN_MAX_FAILURES, signed-out cookies refused', async () => {
    const form = (user: string, password: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url }, body: new URLSearchParams({ user, password }).toString() });
    const unknown = await form('nobody-here', 'whatever-pass');
    const wrong = await form('alice', 'not-the-password');
    expect(unknown.headers.get('location')).toBe(wrong.headers.get('location'));
    expect(wrong.headers.get('location')).toMatch(/^\/login\?error=invalid/);
    await form('alice', 'not-the-password-2');
    // The third failure locks alice: even the right password is refused until the lockout passes.
    await form('alice', 'not-the-password-3');
    const locked = await form('alice', 'alice-password-1');
    expect(locked.headers.get('location')).toMatch(/error=locked&retry=\d+/);
    expect(locked.headers.get('set-cookie')).toBeNull();
    // A cross-site form cannot sign anyone in (nor out).
    const cross = await fetch(`${server.url}/api/auth/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, body: 'user=bob&password=bob-password-12' });
    expect(cross.status).toBe(403);
    const bob = await signIn(server.url, 'bob', 'bob-password-12');
    const out = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: bob!, origin: server.url } });
    expect(out.headers.get('location')).toBe('/login?signed_out=1');
    expect((await fetch(`${server.url}/api/series`, { headers: { cookie: bob! } })).status).toBe(401);
  });
});

test.describe('AUTH=proxy', () => {
  test('the user header is believed from TRUSTED_PROXIES only', async () => {
    const made = authDir({ users: [{ name: 'carol', password: 'carol-password', scope: PAY }] });
    const servers = await Promise.all([
      startServer({ env: { AUTH: 'proxy', TRUSTED_PROXIES: '127.0.0.1/32', DATA_DIR: made.dir } }),
      startServer({ env: { AUTH: 'proxy', TRUSTED_PROXIES: '10.0.0.1' } }),
    ]);
    try {
      const [trusted, untrusted] = servers as [RunningServer, RunningServer];
      expect((await fetch(`${trusted.url}/api/series`, { headers: { 'x-forwarded-user': 'dave' } })).status).toBe(200);
      expect((await fetch(`${trusted.url}/api/series`)).status).toBe(401);
      // A user the auth file lists gets its scope.
      const carol = (await (await fetch(`${trusted.url}/api/series`, { headers: { 'x-forwarded-user': 'carol' } })).json()) as { series: unknown[] };
      expect(carol.series).toEqual([]);
      // Another spelling of a listed name keeps its scope; two names in one header are none.
      const upper = (await (await fetch(`${trusted.url}/api/series`, { headers: { 'x-forwarded-user': 'CAROL' } })).json()) as { series: unknown[] };
      expect(upper.series).toEqual([]);
      expect((await fetch(`${trusted.url}/api/series`, { headers: { 'x-forwarded-user': 'dave, carol' } })).status).toBe(401);
      const refused = await fetch(`${untrusted.url}/api/series`, { headers: { 'x-forwarded-user': 'dave' } });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: string }).error).toMatch(/believed only from TRUSTED_PROXIES/);
      const page = await fetch(`${untrusted.url}/`, { headers: { 'x-forwarded-user': 'dave' }, redirect: 'manual' });
      expect(page.status).toBe(401);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
