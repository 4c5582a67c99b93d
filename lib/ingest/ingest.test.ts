import fc from 'fast-check';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { HttpError } from '@/lib/http';
import { MAX_ISSUES } from '@/lib/points';
import { hostileTexts, MESSAGE_MAX, point, regexpReach, textLine, type GeneratedPoint } from '@/lib/points/arbitraries';
import { admittedHeaders } from '@/lib/runtime';
import type { Batch } from '@/lib/schema';
import { toSeriesKey } from '@/lib/series';
import { ingest, type IngestDeps, type IngestResult } from './ingest';

const env = parseEnv({ INSTANCE: 'web-1' });
const COLLECTOR_KEY = 'process_cpu_seconds_total{instance="web-1"}';
// The longest string a RegExp may run over: a label value (INGEST_MAX_LABEL_VALUE_LENGTH code points, two UTF-16 units at most each).
const VALUE_UNITS = 2 * env.INGEST_MAX_LABEL_VALUE_LENGTH;

/** Ingest over an empty store (but for one series of the collector's), publishing into `published`. */
function deps(published: Batch[] = []): IngestDeps {
  return {
    env,
    store: { has: (k) => k === COLLECTOR_KEY, newest: () => undefined, reserved: (k) => k === COLLECTOR_KEY, size: 1, maxSeries: 10_000 },
    stopping: false,
    publish: (batch) => {
      published.push(batch);
      return Promise.resolve(`c-${published.length}`);
    },
    refusedIn: () => undefined,
  };
}

const post = (body: string, type = 'application/json') =>
  new Request('http://127.0.0.1/api/ingest', { method: 'POST', body, headers: { 'content-type': type, ...admittedHeaders('127.0.0.1', 'test', false) } });

/** What ingest answers for `body`: its result, or the HttpError it throws; anything else thrown fails the test. */
async function outcome(body: string, type?: string, published: Batch[] = []): Promise<{ result?: IngestResult; error?: HttpError }> {
  try {
    return { result: await ingest(post(body, type), deps(published)) };
  } catch (err) {
    if (err instanceof HttpError) return { error: err };
    throw err;
  }
}

/** A refusal whose message, and each issue, is bounded, with at most MAX_ISSUES issues. */
function expectBounded(error: HttpError): void {
  expect(error.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
  expect(error.issues.length).toBeLessThanOrEqual(MAX_ISSUES);
  for (const issue of error.issues) expect(issue.path.length + issue.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
}

/** The samples ingest must publish for `points` received at about `now`: keys canonical, in time order. */
function expected(points: GeneratedPoint[], now: number) {
  const samples = points.map((p) => ({ series: toSeriesKey(p.name, p.labels), t: p.timestamp ?? now, v: p.value }));
  return samples.map((s, i) => ({ s, i })).sort((a, b) => a.s.t - b.s.t || a.i - b.i).map(({ s }) => s);
}

describe('ingest: JSON and text bodies, as properties', () => {
  const now = Date.now();
  const points = fc.array(point(now), { minLength: 1, maxLength: 15 });

  it('publishes a valid JSON body as exactly its points', async () => {
    await fc.assert(
      fc.asyncProperty(points, async (ps) => {
        const published: Batch[] = [];
        // Points without a timestamp all get the same one: the request's time.
        const body = JSON.stringify({ points: ps.map((p) => ({ ...p, timestamp: p.timestamp ?? now })) });
        const { result, error } = await outcome(body, undefined, published);
        expect(error).toBeUndefined();
        expect(result).toEqual({ accepted: ps.length, skipped: 0 });
        expect(published).toEqual([{ samples: expected(ps, now) }]);
      }),
      { numRuns: 60 },
    );
  });

  it('publishes a valid text body as exactly its samples, with the TYPE it gives', async () => {
    await fc.assert(
      fc.asyncProperty(points, async (ps) => {
        const published: Batch[] = [];
        const typed = ps[0] as GeneratedPoint;
        const text = [`# TYPE ${typed.name} counter`, ...ps.map((p) => textLine({ ...p, timestamp: p.timestamp ?? now }))].join('\n');
        const { result, error } = await outcome(text, 'text/plain; version=0.0.4', published);
        expect(error).toBeUndefined();
        expect(result).toEqual({ accepted: ps.length, skipped: 0 });
        expect(published[0]?.samples).toEqual(expected(ps, now));
        expect(published[0]?.metrics?.find((m) => m.name === typed.name)?.type).toBe('counter');
      }),
      { numRuns: 60 },
    );
  });

  it('throws nothing but an HttpError with bounded messages, whatever the JSON', async () => {
    const mutated = fc.tuple(points, fc.dictionary(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })).map(([ps, extra]) => ({
      points: ps.map((p, i) => (i === 0 ? { ...p, ...extra } : p)),
    }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated, fc.record({ points: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 30 }) })), async (body) => {
        const { error } = await outcome(JSON.stringify(body));
        if (error) expectBounded(error);
      }),
      { numRuns: 150 },
    );
  });

  it('throws nothing but an HttpError with bounded messages, whatever the text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (text) => {
        const { error } = await outcome(text, 'text/plain');
        if (error) expectBounded(error);
      }),
      { numRuns: 150 },
    );
  });
});

describe('ingest: hostile bodies', () => {
  it.each(hostileTexts)('answers %s (text) fast, bounded, with no RegExp over more than a label value', async (_case, text) => {
    const started = performance.now();
    const { result, longest } = await regexpReach(() => outcome(text, 'text/plain'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(longest).toBeLessThanOrEqual(VALUE_UNITS);
    if (result.error) expectBounded(result.error);
  });

  it.each([
    ['a 1,000,000-character metric name', { points: [{ name: 'a'.repeat(1_000_000), value: 1 }] }, 422, /at most 256 characters \(INGEST_MAX_NAME_LENGTH\)/],
    ['a 500,000-character label name', { points: [{ name: 'm', value: 1, labels: { ['l'.repeat(500_000)]: 'v' } }] }, 422, /label name "l{40}"… \(499960 more characters\) is longer than 128 characters \(INGEST_MAX_LABEL_NAME_LENGTH\)/],
    ['a 500,000-character metadata name', { points: [{ name: 'm', value: 1 }], metadata: { ['m'.repeat(500_000)]: {} } }, 422, /metric name "m{40}"… .* \(INGEST_MAX_NAME_LENGTH\)/],
    ['a 500,000-character unknown key', { points: [{ name: 'm', value: 1, ['k'.repeat(500_000)]: 1 }] }, 422, /unrecognized key "k{40}"… \(499960 more characters\)/],
    ['a key over INGEST_MAX_SERIES_KEY_LENGTH', { points: [{ name: 'm', value: 1, labels: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`l${i}`, 'v'.repeat(1000)])) }] }, 422, /longer than 4096 characters \(INGEST_MAX_SERIES_KEY_LENGTH\)/],
    ['50,000 labels', { points: [{ name: 'm', value: 1, labels: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`l${i}`, ''])) }] }, 422, /at most 16 labels \(INGEST_MAX_LABELS\)/],
    ['10,000 points, each invalid', { points: Array.from({ length: 10_000 }, () => ({ name: '-', value: 'x' })) }, 422, /^10000 invalid point\(s\); nothing was stored \(the first 20 of 20000 problems are listed\)/],
    ['a point far in the future', { points: [{ name: 'm', value: 1, timestamp: Date.now() + 3_600_000 }] }, 422, /ahead of the server clock \(INGEST_MAX_FUTURE\)/],
    ['a series of the collector', { points: [{ name: 'process_cpu_seconds_total', labels: { instance: 'web-1' }, value: 1 }] }, 422, /"process_cpu_seconds_total\{instance=\\"web-1\\"\}" is written by Pulseboard's own collector/],
  ])('refuses %s (JSON) with a bounded answer naming the limit, without a RegExp over it', async (_case, body, status, message) => {
    const { result, longest } = await regexpReach(() => outcome(JSON.stringify(body)));
    expect(result.error?.status).toBe(status);
    expect([result.error?.message, ...(result.error?.issues ?? []).map((i) => `${i.path}: ${i.message}`)].join('\n')).toMatch(message);
    expectBounded(result.error as HttpError);
    expect(longest).toBeLessThanOrEqual(VALUE_UNITS);
  });

  it('refuses malformed JSON of 100 KB with a bounded message (V8 quotes the input)', async () => {
    const { error } = await outcome(`{"points":[${'1'.repeat(100_000)}x`);
    expect(error?.status).toBe(400);
    expect(error?.message).toMatch(/^malformed JSON: /);
    expectBounded(error as HttpError);
  });

  it.each([
    ['a 100 KB value', `m ${'a'.repeat(100_000)}\n`, 400],
    ['100 KB after the timestamp', `m 1 2 ${'x '.repeat(50_000)}\n`, 400],
    ['a 100 KB TYPE', `# TYPE m ${'x'.repeat(100_000)}\n`, 400],
    ['a 100 KB HELP name', `# HELP ${'m-'.repeat(50_000)} help\n`, 400],
    ['a 100 KB label value', `m{a="${'v'.repeat(100_000)}"} 1\n`, 422],
  ])('answers %s in a text body with a bounded error, not an echo of it', async (_case, text, status) => {
    const { error } = await outcome(text, 'text/plain');
    expect(error?.status).toBe(status);
    expectBounded(error as HttpError);
    expect(JSON.stringify({ error: error?.message, issues: error?.issues }).length).toBeLessThan(1024);
  });

  it('quotes a Content-Type it does not accept only clipped', async () => {
    const { error } = await outcome('{}', `text/${'x'.repeat(10_000)}`);
    expect(error?.status).toBe(415);
    expect(error?.message.length).toBeLessThan(400);
  });

  it('refuses a text body of more than INGEST_MAX_POINTS samples with 413, reading no further', async () => {
    const { error } = await outcome('m 1\n'.repeat(env.INGEST_MAX_POINTS + 1) + 'never{read', 'text/plain');
    expect(error?.status).toBe(413);
    expect(error?.message).toMatch(/more than 10000 samples \(INGEST_MAX_POINTS\)/);
  });

  it('accepts prom-client’s default metrics and a histogram: the collector’s names, without its instance label', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const histogram = new Histogram({ name: 'job_duration_seconds', help: 'Job time.', labelNames: ['queue'], registers: [registry] });
    histogram.observe({ queue: 'emails' }, 0.3);
    const published: Batch[] = [];
    const { result, error } = await outcome(await registry.metrics(), 'text/plain', published);
    expect(error).toBeUndefined();
    expect(result?.accepted).toBeGreaterThan(20);
    const keys = published[0]?.samples.map((s) => s.series) ?? [];
    expect(keys).toContain('process_cpu_seconds_total');
    expect(keys).toContain('job_duration_seconds_bucket{le="+Inf",queue="emails"}');
  });
});

describe('ingest: help text', () => {
  const CONTROL = '\u0001'.repeat(4_096);
  const samples = (n: number) => Array.from({ length: n }, (_, i) => `app_requests_total{path="/p${i}"} ${i}`).join('\n');

  it('refuses the review’s text body (a HELP of 4,096 × U+0001, then 8,500 samples) with 422 at the HELP line, storing nothing', async () => {
    const published: Batch[] = [];
    const text = `# HELP app_requests_total ${CONTROL}\n# TYPE app_requests_total counter\n${samples(8_500)}\n`;
    const { error } = await outcome(text, 'text/plain', published);
    expect(error?.status).toBe(422);
    expect(error?.issues).toEqual([
      { path: 'line 1', message: expect.stringMatching(/^HELP text of app_requests_total: at most 1024 characters \(INGEST_MAX_HELP_LENGTH\)$/) as unknown },
    ]);
    expect(published).toEqual([]);
    expectBounded(error!);
  });

  it.each([
    ['U+0001', '\u0001', 'U+0001 at character 4'],
    ['a newline (\\n in the text format)', '\\n', 'U+000A at character 4'],
    ['DEL', '\u007f', 'U+007F at character 4'],
    ['a C1 control', '\u0085', 'U+0085 at character 4'],
  ])('refuses a text HELP holding %s, naming the line and the character', async (_, control, where) => {
    const { error } = await outcome(`# TYPE x gauge\n# HELP x help${control}text\nx 1\n`, 'text/plain');
    expect(error?.status).toBe(422);
    expect(error?.issues).toEqual([{ path: 'line 2', message: expect.stringContaining(where) as unknown }]);
  });

  it('refuses a JSON help with a control character or over INGEST_MAX_HELP_LENGTH at its path, and takes a tab', async () => {
    const body = (help: string) => JSON.stringify({ points: [{ name: 'up', value: 1 }], metadata: { up: { help } } });
    const control = await outcome(body('ok\u0001'));
    expect(control.error?.status).toBe(422);
    expect(control.error?.issues).toEqual([{ path: 'metadata.up.help', message: 'must not contain control characters (U+0001 at character 2); tab is the only one allowed' }]);
    const long = await outcome(body('h'.repeat(env.INGEST_MAX_HELP_LENGTH + 1)));
    expect(long.error?.issues).toEqual([{ path: 'metadata.up.help', message: `at most ${env.INGEST_MAX_HELP_LENGTH} characters (INGEST_MAX_HELP_LENGTH)` }]);
    const published: Batch[] = [];
    expect((await outcome(body('one\ttwo'), undefined, published)).result).toEqual({ accepted: 1, skipped: 0 });
    expect(published[0]?.metrics).toEqual([{ name: 'up', unit: 'none', type: 'gauge', help: 'one\ttwo' }]);
  });

  it('publishes a family’s help once per name, however many series the request holds', async () => {
    const published: Batch[] = [];
    const text = `# HELP app_requests_total Requests served.\n# TYPE app_requests_total counter\n${samples(8_500)}\n`;
    expect((await outcome(text, 'text/plain', published)).result).toEqual({ accepted: 8_500, skipped: 0 });
    expect(published[0]?.metrics).toEqual([{ name: 'app_requests_total', unit: 'none', type: 'counter', help: 'Requests served.' }]);
  });
});
