import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pair } from '@/lib/wire';
import { toRate } from '@/lib/dashboard/rate';
import { evaluateQuery, type QuerySeries } from './evaluate';
import { compileSelector, formatQuery, MAX_DEPTH, parseQuery, QueryError, type QueryNode } from './parse';

/** The message parseQuery throws for `text`; fails the test when it parses. */
function refusal(text: string): string {
  try {
    parseQuery(text);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return (err as Error).message;
  }
  throw new Error(`parsed ${text}`);
}

describe('parseQuery', () => {
  it('reads selectors with every kind of matcher', () => {
    expect(parseQuery('http_requests_total{status="500", route!="/health", pod=~"api-*", zone!~"eu-?"}')).toEqual({
      kind: 'selector',
      name: 'http_requests_total',
      rate: false,
      matchers: [
        { label: 'status', op: '=', value: '500' },
        { label: 'route', op: '!=', value: '/health' },
        { label: 'pod', op: '=~', value: 'api-*' },
        { label: 'zone', op: '!~', value: 'eu-?' },
      ],
    });
    expect(parseQuery('node_cpu_*')).toMatchObject({ kind: 'selector', name: 'node_cpu_*', matchers: [] });
    expect(parseQuery('x{}')).toMatchObject({ matchers: [] });
    expect(parseQuery('rate(jobs{q="a\\"b\\\\c\\nd"})')).toMatchObject({ rate: true, matchers: [{ value: 'a"b\\c\nd' }] });
  });

  it('reads aggregations with by before or after, and ranks by mean or last', () => {
    const cpu = { kind: 'selector', name: 'cpu_seconds_total', matchers: [{ label: 'mode', op: '!=', value: 'idle' }], rate: false };
    expect(parseQuery('sum by (mode) (cpu_seconds_total{mode!="idle"})')).toEqual({ kind: 'aggregate', op: 'sum', by: ['mode'], of: cpu });
    expect(parseQuery('sum(cpu_seconds_total{mode!="idle"}) by (mode)')).toEqual({ kind: 'aggregate', op: 'sum', by: ['mode'], of: cpu });
    expect(parseQuery('count(up)')).toMatchObject({ kind: 'aggregate', op: 'count', by: [] });
    expect(parseQuery('topk(5, sum by (pod) (cpu_seconds_total{mode!="idle"}))')).toMatchObject({ kind: 'rank', op: 'topk', n: 5, by: 'mean', of: { kind: 'aggregate' } });
    expect(parseQuery('bottomk(3, load, last)')).toMatchObject({ kind: 'rank', op: 'bottomk', n: 3, by: 'last' });
    // A metric may be called like an operator: it is one when nothing follows as an operator's would.
    expect(parseQuery('sum{a="b"}')).toMatchObject({ kind: 'selector', name: 'sum' });
    expect(parseQuery('count')).toMatchObject({ kind: 'selector', name: 'count' });
  });

  it('refuses what is wrong, naming what and where', () => {
    expect(refusal('')).toBe('the query is empty');
    expect(refusal('sum(x')).toBe('expected ")", found the end at character 6');
    expect(refusal('x{a="1"')).toBe('expected "}", found the end at character 8');
    expect(refusal('x{a=1}')).toBe('expected a double-quoted string at character 5');
    expect(refusal('x{a="1}')).toBe('string is not closed at character 5');
    expect(refusal('x{a="\\t"}')).toBe('unknown escape in string (use \\", \\\\ or \\n) at character 6');
    expect(refusal('topk(0, x)')).toBe('0 lines: topk and bottomk keep 1 to 1000 at character 6');
    expect(refusal('topk(5, x, max)')).toBe('topk ranks by mean or last, not "max" at character 12');
    expect(refusal('x y')).toBe('unexpected "y" after the query at character 3');
    expect(refusal('x{9a="1"}')).toBe('a label name "9a" must not start with a digit at character 3');
    expect(refusal('9x')).toBe('metric name "9x" must not start with a digit at character 1');
    // Messages quote a few characters of what they found, however long the query.
    expect(refusal(`x ${'y'.repeat(3_000)}`)).toBe('unexpected "yyyyyyyy" after the query at character 3');
    expect(refusal(`${'9'.repeat(3_000)}`).length).toBeLessThan(100);
    const deep = `${'sum('.repeat(MAX_DEPTH + 1)}x${')'.repeat(MAX_DEPTH + 1)}`;
    expect(refusal(deep)).toBe(`more than ${MAX_DEPTH} nested aggregations at character ${4 * (MAX_DEPTH + 1) + 1}`);
    expect(() => parseQuery(`${'sum('.repeat(MAX_DEPTH)}x${')'.repeat(MAX_DEPTH)}`)).not.toThrow();
  });

  it('reads back what formatQuery writes, for any query', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const label = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const matcher = fc.record({ label, op: fc.constantFrom('=', '!=', '=~', '!~' as const), value: fc.string({ maxLength: 8 }) });
    const selector = fc.record({ kind: fc.constant('selector' as const), name, matchers: fc.array(matcher, { maxLength: 3 }), rate: fc.boolean() });
    const query: fc.Arbitrary<QueryNode> = fc.letrec<{ q: QueryNode }>((tie) => ({
      q: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        selector,
        fc.record({ kind: fc.constant('aggregate' as const), op: fc.constantFrom('sum', 'avg', 'min', 'max', 'count' as const), by: fc.uniqueArray(label, { maxLength: 3 }), of: tie('q') }),
        fc.record({ kind: fc.constant('rank' as const), op: fc.constantFrom('topk', 'bottomk' as const), n: fc.integer({ min: 1, max: 1000 }), by: fc.constantFrom('mean', 'last' as const), of: tie('q') }),
      ),
    })).q;
    fc.assert(
      fc.property(query, (q) => {
        let depth = 0;
        for (let n: QueryNode = q; n.kind !== 'selector'; n = n.of) depth++;
        fc.pre(depth <= MAX_DEPTH);
        expect(parseQuery(formatQuery(q))).toEqual(q);
      }),
      { numRuns: 2_000 },
    );
  });

  it('parses any text in time linear in its length, or refuses it', () => {
    for (const text of ['('.repeat(50_000), `x{${'a="b",'.repeat(20_000)}`, `${'sum by ('.repeat(5_000)}`, '"'.repeat(50_000), `x{a="${'\\\\'.repeat(30_000)}`]) {
      const started = performance.now();
      expect(() => parseQuery(text)).toThrow(QueryError);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});

describe('compileSelector', () => {
  it('matches names by glob, labels by value or glob, and an absent label as empty', () => {
    const s = compileSelector(parseQuery('http_*{status!="200", pod=~"api-*", zone!="eu"}') as Extract<QueryNode, { kind: 'selector' }>);
    expect(s.matches('http_requests_total', { status: '500', pod: 'api-07' })).toBe(true);
    expect(s.matches('http_requests_total', { status: '200', pod: 'api-07' })).toBe(false);
    expect(s.matches('http_requests_total', { status: '500', pod: 'web-1' })).toBe(false);
    expect(s.matches('http_requests_total', { status: '500', pod: 'api-1', zone: 'eu' })).toBe(false);
    expect(s.matches('grpc_requests_total', { status: '500', pod: 'api-07' })).toBe(false);
    const absent = compileSelector(parseQuery('up{pod=""}') as Extract<QueryNode, { kind: 'selector' }>);
    expect(absent.matches('up', {})).toBe(true);
    expect(absent.matches('up', { pod: 'a' })).toBe(false);
    // `constructor` and friends are labels like any other, never Object.prototype's.
    const proto = compileSelector(parseQuery('up{constructor="x"}') as Extract<QueryNode, { kind: 'selector' }>);
    expect(proto.matches('up', {})).toBe(false);
    expect(proto.matches('up', { constructor: 'x' })).toBe(true);
  });
});

const T = 1_800_000_000_000;
const series = (name: string, labels: Record<string, string>, values: number[], { counter = false, every = 1_000, start = T } = {}): QuerySeries => ({
  key: `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  name,
  labels,
  counter,
  points: values.map((v, i): Pair => [start + i * every, v]),
});

describe('evaluateQuery', () => {
  const window = { from: T - 1, to: T + 4_000, stepMs: 1_000 };

  it('narrows lines: a label filter keeps the series that match and no others', () => {
    const all = ['200', '404', '500'].flatMap((status) => ['/a', '/b'].map((route) => series('req', { status, route }, [1, 2, 3, 4, 5])));
    const lines = evaluateQuery(parseQuery('req{status="500"}'), all, window);
    expect(lines.map((l) => l.key)).toEqual(['req{status="500",route="/a"}', 'req{status="500",route="/b"}']);
  });

  it('draws counters as per-second rates, resets read as restarts, and rate() of a gauge as its change', () => {
    expect(toRate([[0, 10], [1_000, 15], [3_000, 25], [4_000, 3]])).toEqual([[1_000, 5], [3_000, 5], [4_000, 3]]);
    const [line] = evaluateQuery(parseQuery('jobs'), [series('jobs', {}, [0, 2, 4, 8, 8], { counter: true })], window);
    expect(line!.points).toEqual([[T + 1_000, 2], [T + 2_000, 2], [T + 3_000, 4], [T + 4_000, 0]]);
    const [gauge] = evaluateQuery(parseQuery('rate(temp)'), [series('temp', {}, [10, 12, 11])], window);
    expect(gauge!.points).toEqual([[T + 1_000, 2], [T + 2_000, -1]]);
  });

  it('sums, averages, counts and takes min/max by labels at each step, a late series counted with its last value', () => {
    const cpu = [
      series('cpu', { core: '0', mode: 'user' }, [1, 1, 1, 1, 1]),
      series('cpu', { core: '1', mode: 'user' }, [2, 2, 2, 2, 2]),
      series('cpu', { core: '0', mode: 'system' }, [10, 20, 30, 40, 50]),
      // Samples every 2 s, half a step late: its last value stands in between.
      series('cpu', { core: '1', mode: 'system' }, [5, 5, 5], { every: 2_000, start: T + 500 }),
    ];
    const byMode = evaluateQuery(parseQuery('sum by (mode) (cpu)'), cpu, window);
    expect(byMode.map((l) => l.labels)).toEqual([{ mode: 'user' }, { mode: 'system' }]);
    expect(byMode[0]!.points).toEqual([0, 1, 2, 3, 4].map((i) => [T + i * 1_000, 3]));
    expect(byMode[1]!.points).toEqual([[T, 10], [T + 1_000, 25], [T + 2_000, 35], [T + 3_000, 45], [T + 4_000, 55]]);
    const [all] = evaluateQuery(parseQuery('count(cpu)'), cpu, window);
    expect(all!.key).toBe('{}');
    expect(all!.points.map(([, v]) => v)).toEqual([3, 4, 4, 4, 4]);
    expect(evaluateQuery(parseQuery('max(cpu)'), cpu, window)[0]!.points.at(-1)).toEqual([T + 4_000, 50]);
    expect(evaluateQuery(parseQuery('min(cpu)'), cpu, window)[0]!.points.at(-1)).toEqual([T + 4_000, 1]);
    expect(evaluateQuery(parseQuery('avg by (core) (cpu{mode="user"})'), cpu, window).map((l) => l.points[0]![1])).toEqual([1, 2]);
  });

  it('stops counting a series that has gone quiet for longer than the lookback', () => {
    const quiet = [series('up', { i: 'a' }, [1, 1, 1, 1, 1, 1, 1, 1]), series('up', { i: 'b' }, [1])];
    const [count] = evaluateQuery(parseQuery('count(up)'), quiet, { from: T - 1, to: T + 7_000, stepMs: 1_000 });
    expect(count!.points.map(([, v]) => v)).toEqual([2, 2, 2, 1, 1, 1, 1, 1]);
  });

  it('keeps the top or bottom n lines by the window mean or last value, ties broken by key', () => {
    const pods = Array.from({ length: 50 }, (_, i) => series('cpu', { pod: `api-${String(i).padStart(2, '0')}` }, [i, i, 100 - i]));
    const top = evaluateQuery(parseQuery('topk(3, cpu)'), pods, window);
    expect(top.map((l) => l.labels.pod)).toEqual(['api-49', 'api-48', 'api-47']);
    const last = evaluateQuery(parseQuery('topk(2, cpu, last)'), pods, window);
    expect(last.map((l) => l.labels.pod)).toEqual(['api-00', 'api-01']);
    const bottom = evaluateQuery(parseQuery('bottomk(2, cpu)'), pods, window);
    expect(bottom.map((l) => l.labels.pod)).toEqual(['api-00', 'api-01']);
    const tied = evaluateQuery(parseQuery('topk(2, cpu)'), [series('cpu', { pod: 'b' }, [1]), series('cpu', { pod: 'a' }, [1]), series('cpu', { pod: 'c' }, [1])], window);
    expect(tied.map((l) => l.labels.pod)).toEqual(['a', 'b']);
  });
});

describe('parseQuery positions', () => {
  it('points at the word that is wrong, past any spaces before it', () => {
    expect(refusal('sum( 9x )')).toBe('metric name "9x" must not start with a digit at character 6');
    expect(refusal('x{ 9a="1"}')).toBe('a label name "9a" must not start with a digit at character 4');
    expect(refusal('rate(  9x)')).toBe('metric name "9x" must not start with a digit at character 8');
  });
});

describe('evaluateQuery bounds', () => {
  it('computes an aggregation at no more than MAX_STEPS steps, whatever the window and step', () => {
    const many = Array.from({ length: 200 }, (_, i) => series('m', { i: String(i) }, Array.from({ length: 100 }, () => 1)));
    const [line] = evaluateQuery(parseQuery('sum(m)'), many, { from: T - 1e12, to: T + 100_000, stepMs: 1 });
    expect(line!.points.length).toBeLessThanOrEqual(10_000);
  });
});

describe('review fixes', () => {
  it('writes a canonical form that reads back whatever characters a value holds (a tab, a control character)', () => {
    for (const text of ['up{job="a\tb"}', 'up{job="\u0001\u007f\u2028"}', 'up{job="a\\"b\\\\c\\nd"}']) {
      const q = parseQuery(text);
      expect(parseQuery(formatQuery(q))).toEqual(q);
    }
  });

  it('matches __name__ against the metric name', () => {
    const s = (text: string) => compileSelector(parseQuery(text) as Extract<QueryNode, { kind: 'selector' }>);
    expect(s('*{__name__="up"}').matches('up', {})).toBe(true);
    expect(s('*{__name__="up"}').matches('down', {})).toBe(false);
    expect(s('*{__name__!="up"}').matches('up', {})).toBe(false);
    expect(s('*{__name__=~"node_*"}').matches('node_load1', {})).toBe(true);
  });
});
