import { expect, test } from '@playwright/test';
import { healthDuring } from '../support/health';
import { postPoints } from '../support/ingest';
import { startServer, type RunningServer } from '../support/server';

// Filters that made the old RegExp matcher stall the whole server (`******!` with one 3-label
// metric held ran past 60 s, /api/health hanging meanwhile), against a server of this spec's own.
let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({ env: { INSTANCE: 'hostile' } });
  const labels = { method: 'GET', route: '/api/items', status: '200' };
  expect((await postPoints(server.url, [{ name: 'hostile_requests_total', labels, value: 1 }])).status).toBe(202);
  // First requests load the routes: warm them up before anything is timed.
  for (const path of ['/', '/metrics', '/api/health']) await (await fetch(`${server.url}${path}`)).text();
});

test.afterAll(async () => {
  await server?.stop('SIGKILL');
});

/** A page's HTML, without the comments React puts between adjacent pieces of text. */
async function page(path: string): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status, path.slice(0, 40)).toBe(200);
  return (await res.text()).replaceAll('<!-- -->', '');
}

test('filters of stars answer at once with nothing found, and /api/health stays responsive meanwhile', async () => {
  const worst = await healthDuring(server.url, async () => {
    for (let i = 0; i < 3; i++) {
      expect(await page('/metrics?q=*****!')).toContain('0 metrics matching “*****!”');
      expect(await page('/metrics?q=******!')).toContain('0 metrics matching “******!”');
      expect(await page(`/metrics?q=${encodeURIComponent('route=*/*/*/*/*/*!')}`)).toContain('0 metrics matching');
      expect(await page('/?q=******!')).toContain('No chart matches “******!”');
    }
  });
  expect(worst).toBeLessThan(200);
  // The filters still find what is there.
  expect(await page('/metrics?q=hostile*total')).toContain('1 metric matching “hostile*total”');
  expect(await page(`/metrics?q=${encodeURIComponent('route=/api/*')}`)).toContain('data-metric="hostile_requests_total"');
});

/** The filter's `<input>` tag in a page. */
const filterInput = (html: string) => /<input[^>]*metrics by name or label[^>]*>/.exec(html)?.[0] ?? 'no filter input';

test('a filter over QUERY_MAX_LENGTH or QUERY_MAX_TERMS is not applied, and the page says so beside it', async () => {
  const long = 'x'.repeat(4_097);
  const terms = Array.from({ length: 65 }, (_, i) => `hostile${i}`).join(' ');
  for (const path of ['/metrics', '/']) {
    const tooLong = await page(`${path}?q=${long}`);
    expect(tooLong).toContain('Filter too long, not applied: at most 4096 characters (QUERY_MAX_LENGTH)');
    // Not repeated into the input, and not applied: every metric is still listed.
    expect(filterInput(tooLong)).toContain('value=""');
    expect(tooLong).toContain('hostile_requests_total');
    const tooMany = await page(`${path}?q=${encodeURIComponent(terms)}`);
    expect(tooMany).toContain('Too many terms, not applied: at most 64 terms (QUERY_MAX_TERMS)');
    expect(filterInput(tooMany)).toContain(`value="${terms}"`);
    expect(tooMany).toContain('hostile_requests_total');
  }
});

test('the APIs refuse a filter over the caps with 400 JSON naming the setting', async () => {
  const long = await fetch(`${server.url}/api/series?series=${'a'.repeat(4_097)}`);
  expect(long.status).toBe(400);
  expect(await long.json()).toEqual({ error: 'invalid series query', issues: [{ path: 'series', message: 'at most 4096 characters (QUERY_MAX_LENGTH)' }] });
  const many = await fetch(`${server.url}/api/series?series=${Array.from({ length: 65 }, (_, i) => `m${i}`).join(',')}`);
  expect(many.status).toBe(400);
  expect(await many.json()).toEqual({ error: 'invalid series query', issues: [{ path: 'series', message: 'at most 64 globs (QUERY_MAX_TERMS)' }] });
  const fine = await fetch(`${server.url}/api/series?series=${encodeURIComponent(`${'*'.repeat(4_000)}!`)}`);
  expect(await fine.json()).toEqual({ series: [], metrics: [] });
  const exported = await fetch(`${server.url}/api/export?metric=${'a'.repeat(4_097)}`);
  expect(exported.status).toBe(400);
  expect(await exported.json()).toEqual({ error: 'invalid export query', issues: [{ path: 'metric', message: 'at most 4096 characters (QUERY_MAX_LENGTH)' }] });
});

test('a large CSV export is streamed in chunks, byte for byte the format it always had', async () => {
  const name = 'hostile_export_bytes';
  const start = Date.now() - 3_000_000;
  const expected = ['series,timestamp_ms,time_utc,value'];
  const points = [];
  for (let s = 0; s < 20; s++) {
    const key = `${name}{s="${String(s).padStart(2, '0')}"}`;
    for (let i = 0; i < 5_000; i++) {
      const t = start + i * 500;
      points.push({ name, labels: { s: String(s).padStart(2, '0') }, value: i / 7, timestamp: t });
      expected.push(`"${key.replace(/"/g, '""')}",${t},${new Date(t).toISOString()},${i / 7}`);
    }
  }
  for (let i = 0; i < points.length; i += 10_000) expect((await postPoints(server.url, points.slice(i, i + 10_000))).status).toBe(202);

  const started = performance.now();
  const res = await fetch(`${server.url}/api/export?metric=${name}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-length')).toBeNull();
  expect(res.headers.get('transfer-encoding')).toBe('chunked');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const first = await reader.read();
  const firstByteMs = performance.now() - started;
  let text = decoder.decode(first.value, { stream: true });
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  const totalMs = performance.now() - started;
  const body = expected.join('\r\n') + '\r\n';
  // The first bytes come while the rest is still being made. Built whole beforehand, as it was,
  // bench/hostile-filter.mjs's 30 MB export took 1.26 s of its 1.46 s to start.
  expect(firstByteMs).toBeLessThan(totalMs / 3);
  expect(first.value!.length).toBeLessThan(body.length / 10);
  expect(text.length).toBe(body.length);
  expect(text === body).toBe(true);
});
