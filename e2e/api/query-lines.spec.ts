import { expect, test } from '@playwright/test';
import { postPoints } from '../support/ingest';

type Line = { key: string; labels: Record<string, string>; points: Array<[number, number]> };
type Answer = { query: string; window: number; stepMs: number; series: number; lines: Line[]; cut?: string };

async function query(baseURL: string, q: string, extra = ''): Promise<{ status: number; body: Answer & { error?: string; issues?: Array<{ path: string; message: string }> } }> {
  const res = await fetch(`${baseURL}/api/query?q=${encodeURIComponent(q)}${extra}`);
  return { status: res.status, body: await res.json() };
}

test('GET /api/query narrows lines by label, sums counters as rates by a label, and ranks the top pods', async ({ baseURL }) => {
  const name = `e2e_q_req_${Date.now()}`;
  const cpu = `e2e_q_cpu_${Date.now()}`;
  const t0 = Date.now() - 30_000;
  const points = [];
  // A request counter by route and status: +1 a second for 200s, +2 for 500s, 20 s of it.
  for (let i = 0; i <= 20; i++) {
    for (const route of ['/a', '/b', '/c']) {
      for (const status of ['200', '404', '500']) points.push({ name, labels: { route, status }, value: i * (status === '500' ? 2 : 1), timestamp: t0 + i * 1_000 });
    }
    // 50 pods' CPU, pod n at n %.
    for (let n = 0; n < 50; n++) points.push({ name: cpu, labels: { pod: `api-${String(n).padStart(2, '0')}` }, value: n, timestamp: t0 + i * 1_000 });
  }
  expect((await postPoints(baseURL!, points, { metadata: { [name]: { type: 'counter' } } })).status).toBe(202);

  // The filter narrows lines: only the three routes' 500 series, not all nine.
  const narrowed = await query(baseURL!, `${name}{status="500"}`, '&window=1m');
  expect(narrowed.status).toBe(200);
  expect(narrowed.body.lines.map((l) => l.labels.route).sort()).toEqual(['/a', '/b', '/c']);
  // A counter is drawn as its per-second rate: 2 a second for a 500 series.
  expect(narrowed.body.lines[0]!.points.at(-1)![1]).toBe(2);

  // Summed by status over the routes: 3 a second for 200 and 404, 6 for 500.
  const summed = await query(baseURL!, `sum by (status) (${name})`, '&window=1m&points=60');
  expect(summed.status).toBe(200);
  expect(summed.body.query).toBe(`sum by (status) (${name})`);
  const last = Object.fromEntries(summed.body.lines.map((l) => [l.labels.status, l.points.at(-1)![1]]));
  expect(last).toEqual({ '200': 3, '404': 3, '500': 6 });

  // A glob matcher, a negative one, and topk by the window's mean.
  const top = await query(baseURL!, `topk(3, ${cpu}{pod=~"api-*", pod!="api-49"})`, '&window=1m');
  expect(top.body.series).toBe(49);
  expect(top.body.lines.map((l) => l.labels.pod)).toEqual(['api-48', 'api-47', 'api-46']);
});

test('GET /api/query refuses a bad query with 400 naming what and where, and bounds it by the query settings', async ({ baseURL }) => {
  const bad = await query(baseURL!, 'sum by (mode (cpu)');
  expect(bad.status).toBe(400);
  expect(bad.body.error).toBe('invalid query');
  expect(bad.body.issues).toEqual([{ path: 'q', message: 'expected ")", found "(cpu)" at character 14' }]);

  const missing = await fetch(`${baseURL}/api/query`);
  expect(missing.status).toBe(400);
  expect((await missing.json()).issues[0].path).toBe('q');

  const long = await query(baseURL!, `x{a="${'y'.repeat(5_000)}"}`);
  expect(long.status).toBe(400);
  expect(long.body.issues![0]!.message).toBe('at most 4096 characters (QUERY_MAX_LENGTH)');

  const terms = await query(baseURL!, `x{${Array.from({ length: 65 }, (_, i) => `l${i}="v"`).join(',')}}`);
  expect(terms.status).toBe(400);
  expect(terms.body.issues![0]!.message).toBe('more than 64 matchers and labels (QUERY_MAX_TERMS)');

  const deep = await query(baseURL!, `${'sum('.repeat(9)}x${')'.repeat(9)}`);
  expect(deep.status).toBe(400);
  expect(deep.body.issues![0]!.message).toMatch(/^more than 8 nested aggregations at character \d+$/);

  const method = await fetch(`${baseURL}/api/query?q=x`, { method: 'POST' });
  expect(method.status).toBe(405);
  expect(method.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
});
