import { expect, test } from '@playwright/test';
import { postPoints } from '../support/ingest';

test('GET /api/export answers a CSV download of a metric, 404 for an unknown one, 400 for a bad name', async ({ baseURL }) => {
  const name = `e2e_export_${Date.now()}`;
  const t = Date.now() - 2_000;
  expect((await postPoints(baseURL!, [{ name, labels: { k: 'v' }, value: 1.5, timestamp: t }])).status).toBe(202);

  const res = await fetch(`${baseURL}/api/export?metric=${name}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${name}.csv"`);
  expect(await res.text()).toBe(`series,timestamp_ms,time_utc,value\r\n"${name}{k=""v""}",${t},${new Date(t).toISOString()},1.5\r\n`);

  const missing = await fetch(`${baseURL}/api/export?metric=no_such_metric_${Date.now()}`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: string }).error).toMatch(/^no metric/);

  const bad = await fetch(`${baseURL}/api/export?metric=${encodeURIComponent('not a name')}`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { issues: Array<{ path: string }> }).issues[0]?.path).toBe('metric');
});
