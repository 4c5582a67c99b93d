import { post, postPoints } from './ingest';

// Bad ingest requests and what each must be answered: e2e/api/ingest.spec.ts sends them to the
// shared server, ingest-direct.spec.ts to both ways in (the gate's direct path and Next.js' route).

export const ok = (name: string) => ({ name, value: 1 });
const MiB = 1024 * 1024;

/** A body of `bytes` bytes sent in chunks without Content-Length. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

export interface Case {
  name: string;
  status: number;
  message: RegExp;
  /** Path of the first issue, when the problem is in one place. */
  path?: string;
  send: (url: string, metric: string) => ReturnType<typeof post>;
}

const json = (body: unknown) => (url: string) => post(url, typeof body === 'string' ? body : JSON.stringify(body));
/** A valid point named `metric` beside a bad one: the valid one must not be stored either. */
const withBad = (bad: Record<string, unknown>) => (url: string, metric: string) => postPoints(url, [ok(metric), bad]);

export const cases: Case[] = [
  { name: 'malformed JSON', status: 400, message: /malformed JSON/, send: json('{"points":[') },
  { name: 'empty body', status: 400, message: /empty body/, send: json('') },
  { name: 'wrong content type', status: 415, message: /unsupported Content-Type "text\/xml"/, send: (u) => post(u, '<x/>', { 'content-type': 'text/xml' }) },
  { name: 'no content type', status: 415, message: /unsupported Content-Type ""/, send: (u) => post(u, new TextEncoder().encode('{}'), {}) },
  { name: 'form encoded', status: 415, message: /unsupported Content-Type/, send: (u) => post(u, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }) },
  { name: 'JSON array instead of object', status: 400, message: /body is not/, send: json([1, 2]) },
  { name: 'points not an array', status: 400, message: /body is not/, path: 'points', send: json({ points: 5 }) },
  { name: 'no points', status: 400, message: /body is not/, path: 'points', send: json({ points: [] }) },
  { name: 'unknown top-level key', status: 400, message: /body is not/, send: (u, m) => postPoints(u, [ok(m)], { extra: 1 }) },
  { name: 'value as a string', status: 422, message: /finite number/, path: 'points[1].value', send: withBad({ name: 'v_str', value: '5' }) },
  { name: 'value null', status: 422, message: /finite number/, path: 'points[1].value', send: withBad({ name: 'v_null', value: null }) },
  { name: 'value missing', status: 422, message: /finite number/, path: 'points[1].value', send: withBad({ name: 'v_missing' }) },
  { name: 'value Infinity (1e999)', status: 422, message: /finite number/, path: 'points[1].value', send: (u, m) => post(u, `{"points":[{"name":"${m}","value":1},{"name":"v_inf","value":1e999}]}`) },
  { name: 'value NaN literal', status: 400, message: /malformed JSON/, send: (u, m) => post(u, `{"points":[{"name":"${m}","value":NaN}]}`) },
  { name: 'name starting with a digit', status: 422, message: /metric-name rule/, path: 'points[1].name', send: withBad({ name: '9lives', value: 1 }) },
  { name: 'name with a dash', status: 422, message: /metric-name rule/, path: 'points[1].name', send: withBad({ name: 'a-b', value: 1 }) },
  { name: 'empty name', status: 422, message: /metric-name rule/, path: 'points[1].name', send: withBad({ name: '', value: 1 }) },
  { name: 'name missing', status: 422, message: /expected string/, path: 'points[1].name', send: withBad({ value: 1 }) },
  { name: 'label name with a dash', status: 422, message: /label-name rule/, path: 'points[1].labels.bad-label', send: withBad({ name: 'l1', value: 1, labels: { 'bad-label': 'x' } }) },
  { name: 'reserved label name', status: 422, message: /reserved/, path: 'points[1].labels.__name', send: withBad({ name: 'l2', value: 1, labels: { __name: 'x' } }) },
  { name: '__proto__ label key', status: 422, message: /reserved/, path: 'points[1].labels.__proto__', send: (u, m) => post(u, `{"points":[{"name":"${m}","value":1},{"name":"l3","value":1,"labels":{"__proto__":"x"}}]}`) },
  { name: 'label value a number', status: 422, message: /must be a string/, path: 'points[1].labels.code', send: withBad({ name: 'l4', value: 1, labels: { code: 200 } }) },
  { name: 'label value too long', status: 422, message: /at most 1024 characters/, path: 'points[1].labels.x', send: withBad({ name: 'l5', value: 1, labels: { x: 'y'.repeat(1025) } }) },
  { name: 'too many labels', status: 422, message: /at most 16 labels/, path: 'points[1].labels', send: withBad({ name: 'l6', value: 1, labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'v'])) }) },
  { name: 'timestamp far in the future', status: 422, message: /ahead of the server clock/, path: 'points[1].timestamp', send: withBad({ name: 't1', value: 1, timestamp: Date.now() + 86_400_000 }) },
  { name: 'timestamp in seconds', status: 422, message: /not seconds/, path: 'points[1].timestamp', send: withBad({ name: 't2', value: 1, timestamp: Math.floor(Date.now() / 1000) }) },
  { name: 'fractional timestamp', status: 422, message: /whole number/, path: 'points[1].timestamp', send: withBad({ name: 't3', value: 1, timestamp: 1.5 }) },
  { name: 'unknown point key', status: 422, message: /nrecognized key/, path: 'points[1]', send: withBad({ name: 'k1', value: 1, val: 2 }) },
  { name: 'bad unit in metadata', status: 422, message: /Invalid option/, path: 'metadata.m1.unit', send: (u, m) => postPoints(u, [ok(m)], { metadata: { m1: { unit: 'furlongs' } } }) },
  { name: 'too many points', status: 413, message: /INGEST_MAX_POINTS/, send: (u, m) => postPoints(u, Array.from({ length: 10_001 }, () => ok(m))) },
  { name: 'body over 1 MiB with Content-Length', status: 413, message: /INGEST_MAX_BODY_BYTES/, send: (u) => post(u, ' '.repeat(MiB + 1)) },
  { name: 'body over 1 MiB chunked, no Content-Length', status: 413, message: /INGEST_MAX_BODY_BYTES/, send: (u) => post(u, chunked(2 * MiB)) },
  { name: 'invalid UTF-8', status: 400, message: /not valid UTF-8/, send: (u) => post(u, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { 'content-type': 'application/json' }) },
  { name: 'Prometheus text: unterminated labels', status: 400, message: /line 2/, path: 'line 2', send: (u, m) => post(u, `${m} 1\nbad{a="1" 2\n`, { 'content-type': 'text/plain' }) },
  { name: 'Prometheus text: unknown TYPE', status: 400, message: /unknown metric type "meter"/, send: (u, m) => post(u, `# TYPE ${m} meter\n${m} 1\n`, { 'content-type': 'text/plain' }) },
  { name: 'Prometheus text: value not a number', status: 400, message: /"abc" is not a number/, send: (u, m) => post(u, `${m} 1\nother abc\n`, { 'content-type': 'text/plain' }) },
  { name: 'Prometheus text: bad label name', status: 422, message: /reserved/, path: 'line 2: labels.__x', send: (u, m) => post(u, `${m} 1\nother{__x="1"} 2\n`, { 'content-type': 'text/plain' }) },
];

