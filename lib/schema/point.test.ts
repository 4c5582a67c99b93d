import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { regexpReach } from '@/lib/points/arbitraries';
import type { PointLimits } from './limits';
import { pointSchemas } from './point';

const limits: PointLimits = { maxPoints: 3, maxLabels: 2, maxLabelValueLength: 5, maxNameLength: 24, maxLabelNameLength: 16, maxSeriesKeyLength: 64, maxHelpLength: 64, maxFutureMs: 30_000 };
const schema = pointSchemas(limits).body;

/** The issues zod raises for `body`; fails the test when the body is accepted. */
function issuesOf(body: unknown): z.ZodError['issues'] {
  const result = schema.safeParse(body);
  if (result.success) throw new Error(`accepted ${JSON.stringify(body)}`);
  return result.error.issues;
}

/** A body of one point named `up` with these extra fields. */
const onePoint = (fields: Record<string, unknown>) => ({ points: [{ name: 'up', value: 1, ...fields }] });

describe('pointSchemas(limits).body', () => {
  it('accepts a minimal body: one point with a name and a value', () => {
    expect(schema.parse({ points: [{ name: 'up', value: 1 }] })).toEqual({ points: [{ name: 'up', value: 1 }] });
  });

  it('accepts a full body with labels, timestamp and metadata, at every limit', () => {
    const body = {
      points: [
        { name: 'http_requests_total', labels: { method: 'GET', code: '200' }, value: 1027, timestamp: 1_700_000_000_000 },
        { name: 'ns:cpu_seconds', value: -0.5 },
        { name: '_x', labels: {}, value: 0 },
      ],
      metadata: { http_requests_total: { type: 'counter', help: 'The total number of HTTP requests.' } },
    };
    expect(schema.parse(body)).toEqual(body);
  });

  it.each([
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['NaN', NaN],
  ])('rejects the non-finite value %s at its path', (_case, value) => {
    expect(issuesOf(onePoint({ value }))).toMatchObject([{ path: ['points', 0, 'value'], message: 'must be a finite number' }]);
  });

  it('rejects a value sent as a string', () => {
    expect(issuesOf(onePoint({ value: '1' }))).toMatchObject([{ code: 'invalid_type', path: ['points', 0, 'value'] }]);
  });

  it('rejects a point without a value', () => {
    expect(issuesOf({ points: [{ name: 'up' }] })).toMatchObject([{ path: ['points', 0, 'value'] }]);
  });

  it.each(['http-requests', '1st_metric', 'has space', ''])('rejects the metric name %j', (name) => {
    expect(issuesOf({ points: [{ name: 'up', value: 1 }, { name, value: 1 }] })).toMatchObject([{ path: ['points', 1, 'name'] }]);
  });

  it('rejects a bad metric name as a metadata key', () => {
    expect(issuesOf({ points: [{ name: 'up', value: 1 }], metadata: { 'bad-name': {} } })).toMatchObject([
      { code: 'invalid_key', path: ['metadata', 'bad-name'] },
    ]);
  });

  it.each(['bad-label', '1abc', 'dotted.name', '__reserved'])('rejects the label name %j with an invalid_key issue at its path', (key) => {
    expect(issuesOf(onePoint({ labels: { [key]: 'x' } }))).toMatchObject([{ code: 'invalid_key', path: ['points', 0, 'labels', key] }]);
  });

  it('rejects an own __proto__ label key from JSON.parse rather than dropping it', () => {
    const labels: unknown = JSON.parse('{"__proto__":"x"}');
    expect(Object.hasOwn(labels as object, '__proto__')).toBe(true);
    expect(issuesOf(onePoint({ labels }))).toMatchObject([{ path: ['points', 0, 'labels', '__proto__'] }]);
  });

  it('rejects an own __proto__ label key even beside valid labels', () => {
    const labels: unknown = JSON.parse('{"host":"a","__proto__":"x"}');
    expect(issuesOf(onePoint({ labels }))).toMatchObject([{ path: ['points', 0, 'labels', '__proto__'] }]);
  });

  it('accepts constructor as an ordinary label name and keeps it as an own property', () => {
    const labels: unknown = JSON.parse('{"constructor":"web"}');
    const point = schema.parse(onePoint({ labels })).points[0];
    expect(point?.labels).toEqual({ constructor: 'web' });
    expect(Object.hasOwn(point?.labels ?? {}, 'constructor')).toBe(true);
    expect(Object.keys(point?.labels ?? {})).toEqual(['constructor']);
  });

  it('accepts labels up to the limit and rejects one more', () => {
    expect(schema.safeParse(onePoint({ labels: { a: '1', b: '2' } })).success).toBe(true);
    expect(issuesOf(onePoint({ labels: { a: '1', b: '2', c: '3' } }))).toMatchObject([
      { path: ['points', 0, 'labels'], message: expect.stringContaining('at most 2 labels') as unknown },
    ]);
  });

  it('accepts a label value at the length limit and rejects a longer one', () => {
    expect(schema.safeParse(onePoint({ labels: { host: '12345' } })).success).toBe(true);
    expect(issuesOf(onePoint({ labels: { host: '123456' } }))).toMatchObject([{ code: 'too_big', path: ['points', 0, 'labels', 'host'] }]);
  });

  it('rejects a label value that is not a string', () => {
    expect(issuesOf(onePoint({ labels: { host: 1 } }))).toMatchObject([{ path: ['points', 0, 'labels', 'host'], message: 'must be a string' }]);
  });

  it('accepts points up to the limit and rejects one more with too_big at points', () => {
    const point = { name: 'up', value: 1 };
    expect(schema.safeParse({ points: [point, point, point] }).success).toBe(true);
    expect(issuesOf({ points: [point, point, point, point] })).toMatchObject([{ code: 'too_big', path: ['points'] }]);
  });

  it('rejects an empty points array', () => {
    expect(issuesOf({ points: [] })).toMatchObject([{ code: 'too_small', path: ['points'] }]);
  });

  it('rejects unknown keys on a point, on the body and in metadata', () => {
    expect(issuesOf(onePoint({ unit: 'bytes' }))).toMatchObject([{ code: 'unrecognized_keys', keys: ['unit'], path: ['points', 0] }]);
    expect(issuesOf({ points: [{ name: 'up', value: 1 }], extra: true })).toMatchObject([{ code: 'unrecognized_keys', keys: ['extra'], path: [] }]);
    expect(issuesOf({ points: [{ name: 'up', value: 1 }], metadata: { up: { colour: 'red' } } })).toMatchObject([
      { code: 'unrecognized_keys', keys: ['colour'], path: ['metadata', 'up'] },
    ]);
  });

  it('rejects a fractional timestamp', () => {
    expect(issuesOf(onePoint({ timestamp: 1_700_000_000_000.5 }))).toMatchObject([
      { path: ['points', 0, 'timestamp'], message: 'must be a whole number of milliseconds' },
    ]);
  });

  it('rejects a timestamp sent as a string', () => {
    expect(issuesOf(onePoint({ timestamp: '1700000000000' }))).toMatchObject([{ code: 'invalid_type', path: ['points', 0, 'timestamp'] }]);
  });

  it('rejects a body that is not an object with points', () => {
    expect(issuesOf([])).toMatchObject([{ code: 'invalid_type', path: [] }]);
    expect(issuesOf({ points: 7 })).toMatchObject([{ path: ['points'], message: 'must be an array of points' }]);
  });
});

describe('pointSchemas(limits): lengths before rules', () => {
  it('caps a metric name at INGEST_MAX_NAME_LENGTH, before its rule is checked', () => {
    expect(schema.safeParse({ points: [{ name: 'a'.repeat(24), value: 1 }] }).success).toBe(true);
    expect(issuesOf({ points: [{ name: '-'.repeat(25), value: 1 }] })).toEqual([
      expect.objectContaining({ path: ['points', 0, 'name'], message: 'at most 24 characters (INGEST_MAX_NAME_LENGTH)' }),
    ]);
  });

  it('caps label names at INGEST_MAX_LABEL_NAME_LENGTH, quoting only the start of one and never putting it in a path', () => {
    const long = 'l'.repeat(100_000);
    const [issue, ...rest] = issuesOf(onePoint({ labels: { [long]: 'x' } }));
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(['points', 0, 'labels']);
    expect(issue?.message).toBe(`label name "${'l'.repeat(40)}"… (99960 more characters) is longer than 16 characters (INGEST_MAX_LABEL_NAME_LENGTH)`);
  });

  it('counts labels before checking their names: one issue for 10,000 bad names, not 10,000', () => {
    const labels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`bad-${i}`, 'x']));
    expect(issuesOf(onePoint({ labels }))).toEqual([expect.objectContaining({ path: ['points', 0, 'labels'], message: 'at most 2 labels (INGEST_MAX_LABELS)' })]);
  });

  it('names a few unknown keys, each clipped, rather than quoting every one whole', () => {
    const extra = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${i}${'k'.repeat(10_000)}`, 1]));
    const [issue] = issuesOf(onePoint(extra));
    expect(issue?.code).toBe('unrecognized_keys');
    expect(issue?.message).toMatch(/^unrecognized keys "0k{39}"… \(9961 more characters\), "1k{39}"… .*, "2k{39}"… .* and 2 more$/);
    expect(issue?.message.length).toBeLessThan(300);
  });

  it('caps metadata names like metric names', () => {
    const [issue] = issuesOf({ points: [{ name: 'up', value: 1 }], metadata: { ['m'.repeat(1000)]: {} } });
    expect(issue).toMatchObject({ path: ['metadata'], message: expect.stringMatching(/^metric name "m{40}"… \(960 more characters\) is longer than 24 characters \(INGEST_MAX_NAME_LENGTH\)$/) as unknown });
  });

  it('runs no RegExp over a name, label name or key longer than its cap', async () => {
    const body = {
      points: [{ name: 'n'.repeat(1_000_000), value: 1, labels: { ['l'.repeat(1_000_000)]: 'x' }, ['k'.repeat(1_000_000)]: 1 }],
      metadata: { ['m'.repeat(1_000_000)]: {} },
    };
    const { result, longest } = await regexpReach(() => schema.safeParse(body));
    expect(result.success).toBe(false);
    expect(longest).toBeLessThanOrEqual(limits.maxNameLength);
  });
});
