import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labelNameSchema } from '@/lib/schema';
import { clip, errorResponse, formatPath, toIssues, type Issue } from './errors';

/** A small body shaped like an ingest request: points with a name and labels. */
const bodySchema = z.strictObject({
  points: z.array(z.strictObject({ name: z.string(), labels: z.record(labelNameSchema, z.string('must be a string')) })),
});

/** The ZodError `bodySchema` raises for `body`; fails the test when the body is accepted. */
function zodError(body: unknown): z.ZodError {
  const result = bodySchema.safeParse(body);
  if (result.success) throw new Error(`accepted ${JSON.stringify(body)}`);
  return result.error;
}

const point = (labels: Record<string, unknown>) => ({ name: 'up', labels });

describe('formatPath', () => {
  it('writes indexes in brackets and keys after dots', () => {
    expect(formatPath(['points', 3, 'labels', 'host'])).toBe('points[3].labels.host');
  });

  it('is empty for the root and starts bare with an index or a key', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['points'])).toBe('points');
    expect(formatPath([0, 'value'])).toBe('[0].value');
  });

  it('writes consecutive indexes side by side', () => {
    expect(formatPath(['matrix', 1, 2])).toBe('matrix[1][2]');
  });

  it('writes a key that looks odd exactly as it is', () => {
    expect(formatPath(['labels', 'bad-label'])).toBe('labels.bad-label');
    expect(formatPath(['labels', Symbol('s')])).toBe('labels.Symbol(s)');
  });
});

describe('toIssues', () => {
  it('addresses an issue by its formatted path', () => {
    const labels = [{}, {}, {}, { host: 1 }].map(point);
    expect(toIssues(zodError({ points: labels }))).toEqual([{ path: 'points[3].labels.host', message: 'must be a string' }]);
  });

  it('names a bad record key and gives the inner reason', () => {
    const issues = toIssues(zodError({ points: [point({ 'bad-label': 'x' })] }));
    expect(issues).toEqual([
      {
        path: 'points[0].labels.bad-label',
        message: 'invalid name "bad-label": must match [a-zA-Z_][a-zA-Z0-9_]* (the Prometheus label-name rule)',
      },
    ]);
  });

  it('gives the inner reason of a reserved label name', () => {
    const [issue] = toIssues(zodError({ points: [point({ __name__: 'x' })] }));
    expect(issue?.message).toBe('invalid name "__name__": label names starting with "__" are reserved');
  });

  it('keeps one issue per problem, in order, with zod messages passed through', () => {
    const issues = toIssues(zodError({ points: [point({ ok: 'x' }), { name: 1, labels: {}, extra: true }] }));
    expect(issues).toEqual([
      { path: 'points[1].name', message: expect.any(String) as unknown },
      { path: 'points[1]', message: 'Unrecognized key: "extra"' },
    ]);
  });

  it('is empty for an error without issues', () => {
    expect(toIssues(new z.ZodError([]))).toEqual([]);
  });
});

describe('errorResponse', () => {
  it('bounds the message, every issue and their number, whatever they were built from', async () => {
    const issues = Array.from({ length: 500 }, (_, i) => ({ path: `p${i}${'x'.repeat(10_000)}`, message: 'y'.repeat(100_000) }));
    const body = (await errorResponse(422, 'z'.repeat(1_000_000), issues).json()) as { error: string; issues: Issue[] };
    expect(body.error.length).toBeLessThan(1_100);
    expect(body.issues).toHaveLength(101);
    expect(body.issues.at(-1)?.message).toBe('and 400 more');
    expect(JSON.stringify(body).length).toBeLessThan(150_000);
  });
});

describe('clip', () => {
  it('quotes short input whole and long input cut, saying how much was left out', () => {
    expect(clip('abc')).toBe('"abc"');
    expect(clip('a'.repeat(200))).toBe(`"${'a'.repeat(120)}"… (80 more characters)`);
  });
});
