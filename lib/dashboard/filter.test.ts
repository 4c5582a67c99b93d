import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JS_STEP, parseSeriesKey, toSeriesKey } from '@/lib/series';
import { globSteps } from '@/lib/series/glob';
import { acceptFilter, compileFilter, filterCost, filterPanels, filterProblem, panelFilter, panelTextChars } from './filter';
import { layoutPanels, type Panel } from './layout';

const panel: Panel = {
  id: 'metric:http_requests_total',
  title: 'http_requests_total',
  unit: 'per_second',
  metrics: ['http_requests_total'],
  lines: [
    { key: 'http_requests_total{route="/api",status="200"}', label: 'route=/api status=200' },
    { key: 'http_requests_total{route="/home",status="500"}', label: 'route=/home status=500' },
  ],
};

const matchesFilter = (p: Panel, filter: string) => panelFilter(filter)(p);

describe('panelFilter', () => {
  it('matches everything with an empty filter', () => {
    expect(matchesFilter(panel, '  ')).toBe(true);
  });

  it('matches names case-insensitively, every term', () => {
    expect(matchesFilter(panel, 'HTTP')).toBe(true);
    expect(matchesFilter(panel, 'http requests')).toBe(true);
    expect(matchesFilter(panel, 'http cpu')).toBe(false);
  });

  it('matches label=value against the series labels, with * as a wildcard', () => {
    expect(matchesFilter(panel, 'status=500')).toBe(true);
    expect(matchesFilter(panel, 'status=404')).toBe(false);
    expect(matchesFilter(panel, 'route=/h*')).toBe(true);
    expect(matchesFilter(panel, 'route="/api"')).toBe(true);
    expect(matchesFilter(panel, 'ROUTE=/API')).toBe(true);
    expect(matchesFilter(panel, 'st*=5*')).toBe(true);
    expect(matchesFilter(panel, '*=/home')).toBe(true);
  });

  it('treats regular-expression characters literally, and a label value as a whole', () => {
    expect(matchesFilter(panel, '(')).toBe(false);
    expect(matchesFilter(panel, 'route=/ap')).toBe(false);
    expect(matchesFilter(panel, 'status=5*')).toBe(true);
    expect(matchesFilter(panel, 'http_requests_total{route=".*"}')).toBe(false);
    expect(matchesFilter(panel, 'requests?total')).toBe(false);
  });

  it('matches a label value as the legend shows it: quotes and backslashes unescaped', () => {
    const odd: Panel = { ...panel, lines: [{ key: toSeriesKey('m', { path: 'C:\\dir', q: 'say "hi"' }), label: '' }] };
    expect(matchesFilter(odd, 'path=C:\\dir')).toBe(true);
    expect(matchesFilter(odd, 'q=say*')).toBe(true);
    expect(matchesFilter(odd, 'q=*hi*')).toBe(true);
  });

  it('tells labels whose names differ only in case apart', () => {
    expect(compileFilter('a=')(['m{A="",a="a"}'])).toBe(true);
    expect(compileFilter('a=x')(['m{A="x",a="a"}'])).toBe(true);
  });

  it('does not let a term span two texts', () => {
    expect(compileFilter('total*route')(['http_requests_total', 'route'])).toBe(false);
    expect(compileFilter('total*route')(['http_requests_total{route="/a"}'])).toBe(true);
  });
});

describe('filter limits', () => {
  const limits = { maxLength: 20, maxTerms: 2 };

  it('refuses a filter longer than QUERY_MAX_LENGTH without repeating it, and one with too many terms', () => {
    expect(filterProblem('cpu memory', limits)).toBeNull();
    expect(filterProblem('x'.repeat(21), limits)).toEqual({ reason: 'too_long', message: 'at most 20 characters (QUERY_MAX_LENGTH)' });
    expect(filterProblem('a b c', limits)).toEqual({ reason: 'too_many', message: 'at most 2 terms (QUERY_MAX_TERMS)' });
    expect(acceptFilter('x'.repeat(21), limits)).toEqual({ shown: '', applied: '', problem: expect.objectContaining({ reason: 'too_long' }) });
    expect(acceptFilter('a b c', limits)).toEqual({ shown: 'a b c', applied: '', problem: expect.objectContaining({ reason: 'too_many' }) });
    expect(acceptFilter('  a   b  ', limits)).toEqual({ shown: '  a   b  ', applied: '  a   b  ', problem: null });
  });
});

/** Whole-text glob by dynamic programming over code points (`*` any run, everything else itself). */
function globReference(glob: string, text: string): boolean {
  const g = [...glob];
  const t = [...text];
  let row = t.map(() => false).concat(true);
  for (let i = g.length - 1; i >= 0; i--) {
    const next = Array<boolean>(t.length + 1).fill(false);
    for (let j = t.length; j >= 0; j--) next[j] = g[i] === '*' ? row[j]! || (j < t.length && next[j + 1]!) : j < t.length && g[i] === t[j] && row[j + 1]!;
    row = next;
  }
  return row[0]!;
}

/** The filter's meaning spelled out: each term in some text, by the DP glob; label terms on parsed labels. */
function reference(texts: readonly string[], filter: string): boolean {
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((term) =>
      texts.some((raw) => {
        const text = raw.toLowerCase();
        const eq = term.indexOf('=');
        if (eq <= 0) return globReference(`*${term}*`, text);
        const value = term.slice(eq + 1).replace(/^"/, '').replace(/"$/, '');
        let labels: Array<[string, string]> = [];
        try {
          labels = raw.includes('{') ? Object.entries(parseSeriesKey(raw).labels).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]) : [];
        } catch {
          // not a key
        }
        return labels.some(([k, v]) => globReference(term.slice(0, eq), k) && globReference(value, v));
      }),
    );
}

/** Today's meaning as the RegExp implementation had it, for label values without quotes or backslashes. */
function regexFilter(texts: readonly string[], filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = texts.join('\n').toLowerCase();
  const escape = (s: string, any: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, any);
  return terms.every((term) => {
    const eq = term.indexOf('=');
    if (eq <= 0) return new RegExp(escape(term, '[^\\n]*')).test(haystack);
    const value = term.slice(eq + 1).replace(/^"|"$/g, '');
    return new RegExp(`[{,]${escape(term.slice(0, eq), '\\w*')}="${escape(value, '[^"]*')}"`).test(haystack);
  });
}

const word = fc.array(fc.constantFrom('a', 'b', 'A', 'é', '😀', '_', '/'), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
const labelName = fc.array(fc.constantFrom('a', 'b', 'A', '_'), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
const series = fc
  .tuple(fc.constantFrom('m', 'ab_total', 'a'), fc.dictionary(labelName, fc.oneof(word, fc.constant('')), { maxKeys: 3 }))
  .map(([name, labels]) => toSeriesKey(name, labels));
const texts = fc.array(fc.oneof(series, word), { minLength: 1, maxLength: 4 });
const termChars = fc.constantFrom('a', 'b', 'A', 'é', '😀', '_', '/', '*', '?', '=', '"', '{', '(', '.');
const term = fc.oneof(
  fc.array(termChars, { minLength: 1, maxLength: 5 }).map((cs) => cs.join('')),
  fc.tuple(labelName, fc.constantFrom('=', '=*', '*='), word).map(([k, op, v]) => `${k}${op}${v}`),
);
const filter = fc.array(term, { maxLength: 3 }).map((ts) => ts.join(' '));

describe('compileFilter agrees with reference implementations', () => {
  it('with the DP reference, on keys with quotes, backslashes and unicode too', () => {
    const anyValue = fc.string({ unit: 'binary', maxLength: 6 });
    const oddSeries = fc.tuple(labelName, anyValue).map(([k, v]) => toSeriesKey('m', { [k]: v }));
    fc.assert(
      fc.property(fc.array(fc.oneof(series, oddSeries, word), { minLength: 1, maxLength: 4 }), fc.oneof(filter, fc.string({ unit: 'binary', maxLength: 8 })), (ts, f) => {
        expect(compileFilter(f)(ts)).toBe(reference(ts, f));
      }),
      { numRuns: 3000 },
    );
  });

  // The RegExp ran over the keys' text, so a quote inside a term's value could match across
  // labels (`a=""*` found `{a="",aa="a"}`); a value is matched whole now, as the DP reference says.
  const quoteInValue = (f: string) =>
    f
      .split(/\s+/)
      .some((t) => t.indexOf('=') > 0 && t.slice(t.indexOf('=') + 1).replace(/^"/, '').replace(/"$/, '').includes('"'));

  it('with the RegExp it replaced, where no label value and no term’s value holds a quote or backslash', () => {
    fc.assert(
      fc.property(texts, filter, (ts, f) => {
        fc.pre(!quoteInValue(f));
        expect(compileFilter(f)(ts)).toBe(regexFilter(ts, f));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('compileFilter against hostile filters', () => {
  // With one 3-label metric held, the RegExp built from `******!` ran past 60 s on the server.
  const keys = [toSeriesKey('app_requests_total', { method: 'GET', route: '/api/items', status: '200' }), 'host_cpu_utilization_ratio{instance="web-1"}'];

  it('answers *****!, ******! and label terms made of stars in a pass over each text', () => {
    for (const f of ['*****!', '******!', `${'*'.repeat(4_000)}!`, '*=*****!', `${'*a'.repeat(1_000)}!`, 'route=*/*/*/*/*/*/*!']) {
      const started = performance.now();
      const before = globSteps();
      expect(compileFilter(f)(keys), f.slice(0, 20)).toBe(false);
      expect(globSteps() - before, f.slice(0, 20)).toBeLessThanOrEqual(4 * (keys.join('').length + f.length));
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('filters 10,000 keys of 300 characters with a 4096-character filter of 64 terms in bounded work', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => toSeriesKey('bench_metric_total', { i: String(i), pad: 'a'.repeat(260) }).slice(0, 300));
    const f = Array.from({ length: 64 }, (_, i) => (i === 63 ? '*a'.repeat(30) + '!' : `*${'a'.repeat(30)}*`)).join(' ').padEnd(4_096, '*');
    expect(f.length).toBe(4_096);
    const matches = compileFilter(f);
    const started = performance.now();
    const before = globSteps();
    expect(many.filter((k) => matches([k]))).toEqual([]);
    expect(globSteps() - before).toBeLessThanOrEqual(many.length * 64 * 300 * 2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('filter cost', () => {
  const keysOf = (n: number) => Array.from({ length: n }, (_, i) => toSeriesKey('app_requests_total', { route: `/api/items/${i}`, status: String(200 + (i % 5)) }));

  it('bounds the glob steps over the texts: at most filterCost × their characters', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(series, word), { minLength: 1, maxLength: 6 }), fc.oneof(filter, fc.string({ unit: 'binary', maxLength: 80 })), (ts, f) => {
        const matches = compileFilter(f);
        const before = globSteps();
        matches(ts);
        expect(globSteps() - before).toBeLessThanOrEqual(filterCost(f) * ts.reduce((n, t) => n + t.length, 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('is not applied, and says so, when it could cost more than QUERY_MAX_WORK over the texts', () => {
    const limits = { maxLength: 4_096, maxTerms: 64 };
    const many = Array.from({ length: 64 }, (_, i) => `route=/api/${i}*`).join(' ');
    const work = { maxWork: 1_000_000, chars: 100_000, series: 1_000 };
    expect(filterCost('route=/api*')).toBeLessThan(filterCost(many));
    expect(acceptFilter('route=/api*', limits, work)).toEqual({ shown: 'route=/api*', applied: 'route=/api*', problem: null });
    expect(acceptFilter(many, limits, work)).toEqual({
      shown: many,
      applied: '',
      problem: {
        reason: 'too_costly',
        message: `this filter would cost about ${Number((filterCost(many) * 100_000).toPrecision(3))} matching steps over the 1000 series held, more than QUERY_MAX_WORK (1000000): use fewer terms`,
      },
    });
    // Exactly at the limit it is applied; the browser, which does not know the texts, never refuses for cost.
    expect(filterProblem(many, limits, { ...work, maxWork: filterCost(many) * work.chars })).toBeNull();
    expect(filterProblem(many, limits)).toBeNull();
  });

  it('counts at least every character panelFilter tries, over the panels laid out from the series', () => {
    const refs = keysOf(50).map((key) => ({ key, ...parseSeriesKey(key), unit: 'none' as const, type: 'counter' }));
    refs.push({ key: 'host_cpu_utilization_ratio', name: 'host_cpu_utilization_ratio', labels: {}, unit: 'none', type: 'gauge' });
    const tried = layoutPanels(refs).reduce((n, p) => n + [p.title, ...p.metrics, ...p.lines.map((l) => l.key)].join('').length, 0);
    expect(panelTextChars(refs)).toBeGreaterThanOrEqual(tried);
  });
});

describe('filterPanels', () => {
  const requests = layoutPanels(
    ['/a', '/b', '/c', '/d'].flatMap((route) =>
      ['200', '301', '404', '500'].map((status) => ({ key: toSeriesKey('http_requests_total', { route, status }), name: 'http_requests_total', labels: { route, status }, unit: 'none' as const, type: 'counter' })),
    ),
  );
  const cpu = layoutPanels(Array.from({ length: 50 }, (_, i) => ({ key: toSeriesKey('pod_cpu', { pod: `api-${String(i).padStart(2, '0')}` }), name: 'pod_cpu', labels: { pod: `api-${String(i).padStart(2, '0')}` }, unit: 'ratio' as const, type: 'gauge' })));
  const all = [...requests, ...cpu];
  const shown = (filter: string) => filterPanels(filter)(all).map((p) => [p.id, p.lines.map((l) => parseSeriesKey(l.key).labels)]);

  it('narrows a panel to the lines its label terms match, not only picks the panel', () => {
    expect(shown('status=500')).toEqual([['metric:http_requests_total', ['/a', '/b', '/c', '/d'].map((route) => ({ route, status: '500' }))]]);
    expect(shown('pod=api-07')).toEqual([['metric:pod_cpu', [{ pod: 'api-07' }]]]);
    expect(shown('status=500 route=/b')).toEqual([['metric:http_requests_total', [{ route: '/b', status: '500' }]]]);
    expect(shown('http status=5*')).toEqual([['metric:http_requests_total', ['/a', '/b', '/c', '/d'].map((route) => ({ route, status: '500' }))]]);
  });

  it('leaves a panel whole for words, and out when no line matches all its label terms', () => {
    expect(shown('pod_cpu')[0]![1]).toHaveLength(50);
    expect(shown('')).toHaveLength(2);
    // Each term is found in the panel, but no line has both.
    expect(shown('status=500 pod=api-07')).toEqual([]);
    expect(shown('status=999')).toEqual([]);
  });

  it('counts a label term twice in its cost (it is tried on a line to pick the panel, then to keep it)', () => {
    // Lower-casing, parsing the labels (JS_STEP + 1), and the literal term twice.
    expect(filterCost('a=b')).toBe(1 + JS_STEP + 1 + 2);
    expect(filterCost('a b')).toBe(1 + 1 + 1);
  });
});

describe('filterPanels, server and browser alike', () => {
  it('looks for words in the lines the label terms keep: laid out again from those lines, the same panels show', () => {
    const series = [
      { route: '/api', status: '200' },
      { route: '/web', status: '500' },
    ].map((labels) => ({ key: toSeriesKey('http_requests_total', labels), name: 'http_requests_total', labels, unit: 'none' as const, type: 'counter' }));
    for (const filter of ['api status=500', 'web status=500', 'http status=500', 'status=200 api']) {
      const shown = filterPanels(filter)(layoutPanels(series));
      const kept = new Set(shown.flatMap((p) => p.lines.map((l) => l.key)));
      const again = filterPanels(filter)(layoutPanels(series.filter((s) => kept.has(s.key))));
      expect(again, filter).toEqual(shown);
    }
    expect(filterPanels('api status=500')(layoutPanels(series))).toEqual([]);
    expect(filterPanels('web status=500')(layoutPanels(series))[0]!.lines.map((l) => l.key)).toEqual(['http_requests_total{route="/web",status="500"}']);
  });
});
