import { expect, test } from '@playwright/test';
import { cases, ok } from '../support/ingest-cases';
import { post, postPoints, seriesKeys } from '../support/ingest';
import { startServer } from '../support/server';

test.describe('POST /api/ingest refuses bad input whole, naming the problem', () => {
  for (const [i, c] of cases.entries()) {
    test(`${c.name} → ${c.status}`, async ({ baseURL }) => {
      const metric = `rejected_case_${i}`;
      const { status, json } = await c.send(baseURL!, metric);
      expect(status).toBe(c.status);
      const text = `${json.error} ${JSON.stringify(json.issues ?? [])}`;
      expect(text).toMatch(c.message);
      if (c.path) expect(json.issues?.[0]?.path).toBe(c.path);
      // Nothing of the rejected request was stored.
      const keys = await seriesKeys(baseURL!);
      expect(keys.filter((k) => k.startsWith(metric) || /^(?:v_|l\d|t\d|k1|m1|other)/.test(k))).toEqual([]);
    });
  }

  test('after all that, a valid request is accepted and the server is healthy', async ({ baseURL }) => {
    const { status, json } = await postPoints(baseURL!, [{ name: 'after_rejections', value: 42, labels: { ok: 'yes' } }]);
    expect(status).toBe(202);
    expect(json).toEqual({ accepted: 1, skipped: 0 });
    expect(await seriesKeys(baseURL!)).toContain('after_rejections{ok="yes"}');
    expect((await fetch(`${baseURL}/api/health`)).status).toBe(200);
  });

  test('a point older than its series’ newest is refused, naming the series', async ({ baseURL }) => {
    const now = Date.now();
    expect((await postPoints(baseURL!, [{ name: 'ordered_gauge', value: 1, timestamp: now }])).status).toBe(202);
    const { status, json } = await postPoints(baseURL!, [
      { name: 'ordered_other', value: 1 },
      { name: 'ordered_gauge', value: 2, timestamp: now - 5_000 },
    ]);
    expect(status).toBe(422);
    expect(json.issues?.[0]).toEqual({ path: 'points[1]', message: expect.stringContaining('newest stored point of "ordered_gauge"') });
    expect(await seriesKeys(baseURL!)).not.toContain('ordered_other');
  });
});

test.describe('ingest access', () => {
  test('with INGEST_TOKEN: no token and a wrong token get 401, the right one 202', async () => {
    const token = 'correct-horse-battery-staple';
    const server = await startServer({ env: { INGEST_TOKEN: token } });
    try {
      const body = JSON.stringify({ points: [ok('authed_metric')] });
      const none = await post(server.url, body);
      expect(none.status).toBe(401);
      expect(none.json.error).toMatch(/missing bearer token/);
      const wrong = await post(server.url, body, { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error).toMatch(/does not match INGEST_TOKEN/);
      expect(await seriesKeys(server.url)).not.toContain('authed_metric');
      const right = await post(server.url, body, { 'content-type': 'application/json', authorization: `Bearer ${token}` });
      expect(right.status).toBe(202);
    } finally {
      await server.stop();
    }
  });

  test('without a token, a peer outside INGEST_ALLOW_FROM gets 403, whatever X-Forwarded-For says', async () => {
    // Loopback is this test's real address; allowing only 10.0.0.0/8 makes it a "remote" peer.
    const server = await startServer({ env: { INGEST_ALLOW_FROM: '10.0.0.0/8' } });
    try {
      const spoofs: Array<Record<string, string>> = [{}, { 'x-forwarded-for': '10.1.2.3' }, { 'x-pulseboard-peer': '10.1.2.3' }];
      for (const headers of spoofs) {
        const { status, json } = await post(server.url, JSON.stringify({ points: [ok('remote_metric')] }), {
          'content-type': 'application/json',
          ...headers,
        });
        expect(status).toBe(403);
        expect(json.error).toMatch(/accepted only from 10\.0\.0\.0\/8 \(INGEST_ALLOW_FROM\); this request came from (::ffff:)?127\.0\.0\.1/);
      }
      expect(await seriesKeys(server.url)).not.toContain('remote_metric');
    } finally {
      await server.stop();
    }
  });

  test('without a token, a request a local proxy forwards for a remote client gets 403', async ({ baseURL }) => {
    const { status, json } = await post(baseURL!, JSON.stringify({ points: [ok('proxied_metric')] }), {
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.9',
    });
    expect(status).toBe(403);
    expect(json.error).toMatch(/came from 203\.0\.113\.9 \(forwarded by (::ffff:)?127\.0\.0\.1\)/);
    expect(await seriesKeys(baseURL!)).not.toContain('proxied_metric');
  });

  test('the series cap answers 429 naming MAX_SERIES and how to raise it; nothing is stored', async () => {
    // The built-in collector's ~200 host series count too.
    const server = await startServer({ env: { MAX_SERIES: '400' } });
    try {
      const points = Array.from({ length: 450 }, (_, i) => ({ name: 'capped', labels: { n: String(i) }, value: i }));
      const { status, json } = await postPoints(server.url, points);
      expect(status).toBe(429);
      expect(json.error).toMatch(/MAX_SERIES=400.*Raise MAX_SERIES/);
      expect((await seriesKeys(server.url)).filter((k) => k.startsWith('capped'))).toEqual([]);
      expect((await postPoints(server.url, points.slice(0, 2))).status).toBe(202);
    } finally {
      await server.stop();
    }
  });
});
