import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { authDir, cli, signIn } from '../support/auth';
import { startRedis, type TestRedis } from '../support/redis';
import { startServer, type RunningServer } from '../support/server';
import { readEvents } from '../support/sse';

// When access ends, so do the streams it opened: sign-out (on this instance or, with Redis, on
// any other), a token or user removed, a scope changed. The client reconnects and gets 401.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An open stream: the ids of events read so far, and when (ms since it opened) the server ended it. */
function hold(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const opened = Date.now();
  const ids: string[] = [];
  let status = 0;
  const ended = (async () => {
    const res = await fetch(`${url}/api/stream`, { headers, signal: controller.signal });
    status = res.status;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Date.now() - opened;
      text += decoder.decode(value, { stream: true });
      for (const m of text.matchAll(/^id: (.+)$/gm)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
      if (text.length > 100_000) text = text.slice(-1000);
    }
  })().catch((err: Error) => `failed: ${err.message}`);
  return { ids, ended, status: () => status, close: () => controller.abort() };
}

/** 'ended' when the server ended the stream (after a 200) within `ms`, 'open' if it is still open; anything else says what went wrong. */
const endsWithin = async (stream: ReturnType<typeof hold>, ms: number) => {
  const outcome = await Promise.race([stream.ended, sleep(ms).then(() => 'open' as const)]);
  if (outcome === 'open' || typeof outcome === 'string') return outcome;
  return stream.status() === 200 ? 'ended' : `status ${stream.status()}`;
};

test('a removed token, a changed scope and a sign-out each end the streams they opened, at once', async () => {
  const made = authDir({
    users: [{ name: 'alice', password: 'alice-password-1' }, { name: 'dave', password: 'dave-password-1' }],
    tokens: [{ name: 'reader', role: 'read' }, { name: 'keeper', role: 'read' }],
  });
  const server = await startServer({ env: { AUTH: 'password', DATA_DIR: made.dir, COLLECT_INTERVAL: '500ms', HEARTBEAT_INTERVAL: '1s' } });
  try {
    const alice = (await signIn(server.url, 'alice', 'alice-password-1'))!;
    const dave = (await signIn(server.url, 'dave', 'dave-password-1'))!;
    const byToken = hold(server.url, { authorization: `Bearer ${made.tokens.reader}` });
    const kept = hold(server.url, { authorization: `Bearer ${made.tokens.keeper}` });
    const bySession = hold(server.url, { cookie: alice });
    const otherTab = hold(server.url, { cookie: alice });
    const daveTab = hold(server.url, { cookie: dave });
    await expect.poll(() => [byToken, kept, bySession, otherTab, daveTab].every((s) => s.ids.length > 0), { timeout: 10_000 }).toBe(true);

    // The auth file is read again within a second of a change.
    cli(made.dir, ['token', 'remove', 'reader']);
    expect(await endsWithin(byToken, 4_000)).toBe('ended');
    expect((await fetch(`${server.url}/api/series`, { headers: { authorization: `Bearer ${made.tokens.reader}` } })).status).toBe(401);

    // Signing out in one tab ends the session's other tabs too; another user's stays.
    const out = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: alice, origin: server.url } });
    expect(out.status).toBe(303);
    expect(await endsWithin(bySession, 2_000)).toBe('ended');
    expect(await endsWithin(otherTab, 1_000)).toBe('ended');
    expect(await endsWithin(daveTab, 500)).toBe('open');
    expect((await fetch(`${server.url}/api/stream`, { headers: { cookie: alice } })).status).toBe(401);

    // A user's scope changed: what they see changes, so the stream opened under the old one ends.
    const file = path.join(made.dir, 'auth.json');
    const auth = JSON.parse(fs.readFileSync(file, 'utf8')) as { users: Record<string, { scope: string | null }> };
    auth.users.dave!.scope = 'team="payments"';
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(auth), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    expect(await endsWithin(daveTab, 4_000)).toBe('ended');
    expect(await endsWithin(kept, 500)).toBe('open');
    expect(server.output()).toMatch(/ended \d+ open stream\(s\) whose sign-in or token ended or changed/);
    for (const s of [kept, daveTab]) s.close();
  } finally {
    await server.stop();
    fs.rmSync(made.dir, { recursive: true, force: true });
  }
});

test.describe('with Redis', () => {
  let redis: TestRedis;
  let made: ReturnType<typeof authDir>;
  const servers: RunningServer[] = [];
  const dirs: string[] = [];

  /** An instance of its own DATA_DIR sharing the auth file (its secret) and Redis. */
  async function instance(name: string): Promise<RunningServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-e2e-'));
    dirs.push(dir);
    const server = await startServer({
      env: { AUTH: 'password', AUTH_FILE: path.join(made.dir, 'auth.json'), DATA_DIR: dir, REDIS_URL: redis.url, INSTANCE: name, COLLECT_INTERVAL: '500ms', HEARTBEAT_INTERVAL: '1s', REDIS_RECONNECT_MAX: '300ms' },
    });
    servers.push(server);
    return server;
  }

  test.beforeAll(async () => {
    redis = await startRedis();
    made = authDir({ users: [{ name: 'alice', password: 'alice-password-1' }] });
  });
  test.afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    for (const dir of [...dirs, made.dir]) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a session resumes on another instance; signing out on one ends it on all, and on one started later', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const cookie = (await signIn(a.url, 'alice', 'alice-password-1'))!;
    expect(cookie).toBeTruthy();

    // The stream opened on a, resumed on b with its cursor: still signed in, nothing missed.
    const first = await readEvents(`${a.url}/api/stream`, { headers: { cookie }, until: (r) => r.events.filter((e) => e.event === 'points').length >= 2, timeoutMs: 10_000 });
    expect(first.response.status).toBe(200);
    const cursor = first.events.filter((e) => e.id).at(-1)!.id!;
    // Points collected meanwhile are what the resume must carry.
    await sleep(1_500);
    const resumed = await readEvents(`${b.url}/api/stream`, { headers: { cookie, 'last-event-id': cursor }, until: (r) => r.events.some((e) => e.event === 'live'), timeoutMs: 10_000 });
    expect(resumed.response.status).toBe(200);
    expect(resumed.events.some((e) => e.event === 'reset')).toBe(false);
    expect(resumed.events.some((e) => e.event === 'points')).toBe(true);
    expect((await fetch(`${b.url}/api/series`, { headers: { cookie } })).status).toBe(200);

    // Signed out on a: the stream open on b ends within moments, and b refuses the cookie.
    const onB = hold(b.url, { cookie });
    await expect.poll(() => onB.ids.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const out = await fetch(`${a.url}/api/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: a.url } });
    expect(out.status).toBe(303);
    expect(await endsWithin(onB, 2_000)).toBe('ended');
    expect((await fetch(`${b.url}/api/series`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${a.url}/api/series`, { headers: { cookie } })).status).toBe(401);

    // An instance started after the sign-out learns it from Redis before taking the cookie.
    const c = await instance('c');
    expect((await fetch(`${c.url}/api/series`, { headers: { cookie } })).status).toBe(401);
    // A fresh sign-in works everywhere.
    const again = (await signIn(c.url, 'alice', 'alice-password-1'))!;
    for (const s of [a, b, c]) expect((await fetch(`${s.url}/api/series`, { headers: { cookie: again } })).status).toBe(200);
  });
});
