import { expect, test } from '@playwright/test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { post, postPoints } from '../support/ingest';
import { startServer } from '../support/server';

type Listed = { key: string; name: string; labels: Record<string, string>; unit: string; type: string; latest: { t: number; v: number } };

async function listed(baseURL: string, glob?: string): Promise<Listed[]> {
  const res = await fetch(`${baseURL}/api/series${glob ? `?series=${encodeURIComponent(glob)}` : ''}`);
  return ((await res.json()) as { series: Listed[] }).series;
}

test('GET /api/series lists name, labels, unit, type and the latest point, and each metric name once with its help', async ({ baseURL }) => {
  const t = Date.now() - 1000;
  await postPoints(
    baseURL!,
    [
      { name: 'q_job_seconds', labels: { job: 'nightly' }, value: 12.5, timestamp: t },
      { name: 'q_job_seconds', labels: { job: 'hourly' }, value: 2, timestamp: t },
    ],
    { metadata: { q_job_seconds: { help: 'Duration of the last run' } } },
  );
  const res = await fetch(`${baseURL}/api/series?series=${encodeURIComponent('q_job_seconds*')}`);
  const body = (await res.json()) as { series: Listed[]; metrics: unknown[] };
  expect(body.series.find((s) => s.key === 'q_job_seconds{job="nightly"}')).toEqual({
    key: 'q_job_seconds{job="nightly"}',
    name: 'q_job_seconds',
    labels: { job: 'nightly' },
    unit: 'seconds',
    type: 'gauge',
    latest: { t, v: 12.5 },
  });
  expect(body.metrics).toEqual([{ name: 'q_job_seconds', unit: 'seconds', type: 'gauge', help: 'Duration of the last run' }]);
});

test('GET /api/series/<key> returns downsampled history that keeps the spike', async ({ baseURL }) => {
  const start = Date.now() - 600_000;
  const points = Array.from({ length: 600 }, (_, i) => ({ name: 'q_spiky', value: i === 317 ? 1000 : 1, timestamp: start + i * 1000 }));
  expect((await postPoints(baseURL!, points)).status).toBe(202);
  const res = await fetch(`${baseURL}/api/series/${encodeURIComponent('q_spiky')}?window=15m&points=50`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { series: { key: string }; window: number; points: Array<[number, number]> };
  expect(body.series.key).toBe('q_spiky');
  expect(body.window).toBe(900_000);
  expect(body.points.length).toBeLessThanOrEqual(50);
  expect(Math.max(...body.points.map(([, v]) => v))).toBe(1000);
  expect(Math.min(...body.points.map(([, v]) => v))).toBe(1);
});

test('GET /api/series/<key> finds keys with quotes and percent signs, and 404s unknown ones', async ({ baseURL }) => {
  await postPoints(baseURL!, [{ name: 'q_odd', labels: { pct: '100%', q: 'say "hi"' }, value: 1 }]);
  const key = 'q_odd{pct="100%",q="say \\"hi\\""}';
  expect((await fetch(`${baseURL}/api/series/${encodeURIComponent(key)}`)).status).toBe(200);
  const missing = await fetch(`${baseURL}/api/series/${encodeURIComponent('no_such_series{a="b"}')}`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: string }).error).toMatch(/no series "no_such_series\{a=\\"b\\"\}"/);
  const bad = await fetch(`${baseURL}/api/series/q_odd?window=forever`);
  expect(bad.status).toBe(400);
});

test('GET /api/metrics is Prometheus text an independent parser reads, with health and every series', async ({ baseURL }) => {
  await post(baseURL!, 'x'.repeat(10), { 'content-type': 'text/xml' }); // one rejection to count
  await postPoints(baseURL!, [{ name: 'q_exported_total', labels: { route: '/a' }, value: 7 }]);
  const res = await fetch(`${baseURL}/api/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await res.text());
  const byName = new Map(families.map((f) => [f.name, f]));
  for (const name of [
    'pulseboard_streams_open',
    'pulseboard_stream_events_sent_total',
    'pulseboard_stream_bytes_sent_total',
    'pulseboard_stream_queue_bytes',
    'pulseboard_ingest_points_total',
    'pulseboard_series',
    'host_cpu_utilization_ratio',
  ]) {
    expect(byName.has(name), name).toBe(true);
  }
  const rejected = byName.get('pulseboard_ingest_rejected_total')!;
  const unsupported = rejected.metrics.find((m) => 'labels' in m && m.labels?.reason === 'unsupported_media_type');
  expect(Number((unsupported as { value: string }).value)).toBeGreaterThanOrEqual(1);
  const exported = byName.get('q_exported_total')!;
  expect(exported.type).toBe('COUNTER');
  expect(exported.metrics[0]).toMatchObject({ labels: { route: '/a' }, value: '7' });
});

test('what /api/metrics prints can be ingested again', async ({ baseURL }) => {
  const text = await (await fetch(`${baseURL}/api/metrics`)).text();
  const other = await startServer({ env: { INSTANCE: 'replica' } });
  try {
    const { status, json } = await post(other.url, text, { 'content-type': 'text/plain; version=0.0.4' });
    expect(json.error).toBeUndefined();
    expect(status).toBe(202);
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    expect(json.accepted).toBe(samples);
    const keys = (await listed(other.url)).map((s) => s.key);
    expect(keys).toContain('host_cpu_utilization_ratio{instance="e2e"}');
    expect(keys).toContain('pulseboard_stream_bytes_sent_total');
  } finally {
    await other.stop();
  }
});

test('a Prometheus client library’s exposition is ingested, histograms and summaries as their component series', async ({ baseURL }) => {
  const registry = new Registry();
  const requests = new Counter({ name: 'lib_requests_total', help: 'Requests served', labelNames: ['code'], registers: [registry] });
  const depth = new Gauge({ name: 'lib_queue_depth', help: 'Queued jobs', registers: [registry] });
  const latency = new Histogram({ name: 'lib_latency_seconds', help: 'Latency', buckets: [0.1, 1], registers: [registry] });
  const size = new Summary({ name: 'lib_payload_bytes', help: 'Payload size', percentiles: [0.5, 0.9], registers: [registry] });
  requests.inc({ code: '200' }, 5);
  depth.set(3);
  latency.observe(0.05);
  latency.observe(0.5);
  size.observe(100);
  const { status, json } = await post(baseURL!, await registry.metrics(), { 'content-type': registry.contentType });
  expect(json.error).toBeUndefined();
  expect(status).toBe(202);
  const body = (await (await fetch(`${baseURL}/api/series?series=lib_*`)).json()) as { series: Listed[]; metrics: Array<{ name: string; help?: string }> };
  const series = new Map(body.series.map((s) => [s.key, s]));
  expect(series.get('lib_requests_total{code="200"}')).toMatchObject({ type: 'counter', latest: { v: 5 } });
  expect(body.metrics.find((m) => m.name === 'lib_requests_total')?.help).toBe('Requests served');
  expect(series.get('lib_queue_depth')).toMatchObject({ type: 'gauge', latest: { v: 3 } });
  expect(series.get('lib_latency_seconds_bucket{le="0.1"}')).toMatchObject({ type: 'counter', latest: { v: 1 } });
  expect(series.get('lib_latency_seconds_bucket{le="+Inf"}')).toMatchObject({ latest: { v: 2 } });
  expect(series.get('lib_latency_seconds_sum')).toMatchObject({ unit: 'seconds', latest: { v: 0.55 } });
  expect(series.get('lib_latency_seconds_count')).toMatchObject({ latest: { v: 2 } });
  expect(series.get('lib_payload_bytes{quantile="0.5"}')).toMatchObject({ type: 'gauge', unit: 'bytes', latest: { v: 100 } });
});

test('label values are stored verbatim, markup included', async ({ baseURL }) => {
  const value = '<script>alert(1)</script> & "quotes"';
  expect((await postPoints(baseURL!, [{ name: 'q_markup', labels: { page: value }, value: 1 }])).status).toBe(202);
  const [s] = await listed(baseURL!, 'q_markup*');
  expect(s?.labels.page).toBe(value);
});
