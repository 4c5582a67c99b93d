import fc from 'fast-check';
import { collectDefaultMetrics, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { hostileTexts, MESSAGE_MAX, point, regexpReach, textLine } from '@/lib/points/arbitraries';
import { familyOf, parsePrometheusText as parseWith, TextFormatError, type FamilyMeta } from './prometheus';

const LIMITS = { stopAfter: 10_001, maxNameLength: 256, maxLabelNameLength: 128, maxLabels: 16 };
/** The parser with the default limits. */
const parsePrometheusText = (text: string) => parseWith(text, LIMITS);

/**
 * The example block of the official "Exposition formats" page (prometheus.io/docs/instrumenting/
 * exposition_formats), verbatim: String.raw keeps its `\\` and `\n` escapes as the wire has them.
 */
const DOCS_EXAMPLE = String.raw`# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;

/** The TextFormatError parsing `text` throws; fails the test when it throws none. */
function formatError(text: string): TextFormatError {
  try {
    parsePrometheusText(text);
  } catch (err) {
    if (err instanceof TextFormatError) return err;
    throw err;
  }
  throw new Error(`parsed without error: ${JSON.stringify(text)}`);
}

/** Two good lines, then `bad` on line 3, then a good line that must never be reached. */
const onLine3 = (bad: string) => `# TYPE ok gauge\nok 1\n${bad}\nok 2\n`;

describe('parsePrometheusText: the documented example', () => {
  const { samples, families } = parsePrometheusText(DOCS_EXAMPLE);

  it('reads every sample with its labels unescaped, value, timestamp and line', () => {
    expect(samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000, line: 3 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000, line: 4 },
      {
        name: 'msdos_file_access_time_seconds',
        labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' },
        value: 1458255915,
        timestamp: undefined,
        line: 7,
      },
      { name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47, timestamp: undefined, line: 10 },
      { name: 'something_weird', labels: { problem: 'division by zero' }, value: Infinity, timestamp: -3982045, line: 13 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '0.05' }, value: 24054, timestamp: undefined, line: 18 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '0.1' }, value: 33444, timestamp: undefined, line: 19 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '0.2' }, value: 100392, timestamp: undefined, line: 20 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '0.5' }, value: 129389, timestamp: undefined, line: 21 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '1' }, value: 133988, timestamp: undefined, line: 22 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf' }, value: 144320, timestamp: undefined, line: 23 },
      { name: 'http_request_duration_seconds_sum', labels: {}, value: 53423, timestamp: undefined, line: 24 },
      { name: 'http_request_duration_seconds_count', labels: {}, value: 144320, timestamp: undefined, line: 25 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.01' }, value: 3102, timestamp: undefined, line: 30 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.05' }, value: 3272, timestamp: undefined, line: 31 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.5' }, value: 4773, timestamp: undefined, line: 32 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.9' }, value: 9001, timestamp: undefined, line: 33 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.99' }, value: 76656, timestamp: undefined, line: 34 },
      { name: 'rpc_duration_seconds_sum', labels: {}, value: 17560473, timestamp: undefined, line: 35 },
      { name: 'rpc_duration_seconds_count', labels: {}, value: 2693, timestamp: undefined, line: 36 },
    ]);
  });

  it('leaves the timestamp out of samples that have none', () => {
    const minimal = samples.find((s) => s.name === 'metric_without_timestamp_and_labels');
    expect(minimal?.timestamp).toBeUndefined();
  });

  it('records HELP and TYPE for each documented family, and nothing for the comments', () => {
    expect(families).toEqual(
      new Map<string, FamilyMeta>([
        ['http_requests_total', { help: 'The total number of HTTP requests.', type: 'counter' }],
        ['http_request_duration_seconds', { help: 'A histogram of the request duration.', type: 'histogram' }],
        ['rpc_duration_seconds', { help: 'A summary of the RPC duration in seconds.', type: 'summary' }],
      ]),
    );
  });
});

describe('parsePrometheusText: lenient where the format is', () => {
  it('ignores blank lines, whitespace-only lines and plain comments', () => {
    const { samples, families } = parsePrometheusText('\n   \n#\n# just a comment\n  # indented comment\n# HELPER is not HELP\nup 1\n\n');
    expect(samples).toEqual([{ name: 'up', labels: {}, value: 1, timestamp: undefined, line: 7 }]);
    expect(families.size).toBe(0);
  });

  it('stops at # EOF, ignoring whatever follows it', () => {
    const { samples } = parsePrometheusText('a 1\n# EOF\nthis is { not a sample\nb 2\n');
    expect(samples.map((s) => s.name)).toEqual(['a']);
  });

  it('accepts CRLF line endings without leaking \\r into help, labels or values', () => {
    const { samples, families } = parsePrometheusText('# HELP a Alpha help.\r\n# TYPE a gauge\r\na{x="1"} 2 1000\r\n\r\nb 3\r\n');
    expect(families.get('a')).toEqual({ help: 'Alpha help.', type: 'gauge' });
    expect(samples).toEqual([
      { name: 'a', labels: { x: '1' }, value: 2, timestamp: 1000, line: 3 },
      { name: 'b', labels: {}, value: 3, timestamp: undefined, line: 5 },
    ]);
  });

  it('counts lines the same way with CRLF endings when reporting an error', () => {
    expect(formatError('a 1\r\nb 2\r\nc oops\r\n').line).toBe(3);
  });

  it('accepts a trailing comma after the last label', () => {
    expect(parsePrometheusText('m{a="1",} 1\n').samples[0]?.labels).toEqual({ a: '1' });
  });

  it('accepts blanks around label "=", "," and the braces, and between tokens', () => {
    const { samples } = parsePrometheusText('m { a = "1" ,\tb="2" , } \t 5 \t 1000 \n');
    expect(samples[0]).toEqual({ name: 'm', labels: { a: '1', b: '2' }, value: 5, timestamp: 1000, line: 1 });
  });

  it('accepts empty braces and empty label values', () => {
    const { samples } = parsePrometheusText('m{} 1\nn{a=""} 2\n');
    expect(samples.map((s) => s.labels)).toEqual([{}, { a: '' }]);
  });

  it('keeps ",", "}", "=" and "#" inside a quoted label value', () => {
    expect(parsePrometheusText('m{a="x,y}=#z"} 1\n').samples[0]?.labels).toEqual({ a: 'x,y}=#z' });
  });

  it('reads NaN, +Inf and -Inf values', () => {
    const [nan, pos, neg] = parsePrometheusText('m NaN\nm +Inf\nm -Inf\n').samples;
    expect(nan?.value).toBeNaN();
    expect(pos?.value).toBe(Infinity);
    expect(neg?.value).toBe(-Infinity);
  });

  it('reads signed, fractional and exponent values', () => {
    const values = parsePrometheusText('m -1.5\nm +2\nm .5\nm 1e3\nm 1.7560473e+07\nm -2E-2\n').samples.map((s) => s.value);
    expect(values).toEqual([-1.5, 2, 0.5, 1000, 17560473, -0.02]);
  });

  it('unescapes \\\\ and \\n in HELP text', () => {
    const { families } = parsePrometheusText(String.raw`# HELP m a backslash \\ and a newline \n here` + '\n');
    expect(families.get('m')?.help).toBe('a backslash \\ and a newline \n here');
  });

  it('treats "unknown" as untyped and keeps HELP and TYPE of one family together', () => {
    const { families } = parsePrometheusText('# TYPE m unknown\n# HELP m Some help.\n');
    expect(families.get('m')).toEqual({ type: 'untyped', help: 'Some help.' });
  });

  it('keeps a __proto__ label as an own property, so validation can refuse it', () => {
    const labels = parsePrometheusText('m{__proto__="x"} 1\n').samples[0]?.labels ?? {};
    expect(Object.hasOwn(labels, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});

describe('parsePrometheusText: strict failures name the line', () => {
  it.each([
    ['unterminated label value', 'm{a="x} 1', /unterminated value for label a/],
    ['label value whose closing quote is escaped', String.raw`m{a="x\"} 1`, /unterminated value for label a/],
    ['missing value', 'm', /missing value for m/],
    ['missing value after labels', 'm{a="b"}', /missing value for m/],
    ['non-numeric value', 'm abc', /"abc" is not a number/],
    ['half an exponent', 'm 1e', /"1e" is not a number/],
    ['two decimal points', 'm 1.2.3', /"1.2.3" is not a number/],
    ['non-integer timestamp', 'm 1 1.5', /timestamp "1.5" is not an integer/],
    ['exponent timestamp', 'm 1 1e3', /timestamp "1e3" is not an integer/],
    ['extra text after the timestamp', 'm 1 1000 extra', /unexpected text after the timestamp: "extra"/],
    ['duplicate label in one sample', 'm{a="1",a="2"} 1', /label a appears twice/],
    ['invalid escape in a label value', String.raw`m{a="\t"} 1`, /invalid escape "\\t" in label value/],
    ['dangling backslash in HELP', String.raw`# HELP m ends with \ `, /invalid escape/],
    ['quote escape in HELP (only \\\\ and \\n are allowed)', String.raw`# HELP m say \"hi\"`, /invalid escape "\\"" in HELP text/],
    ['unknown TYPE', '# TYPE m histograms', /unknown metric type "histograms"/],
    ['TYPE without a type', '# TYPE m', /unknown metric type ""/],
    ['second TYPE line for the same metric', '# TYPE ok counter', /second TYPE line for ok/],
    ['invalid metric name in HELP', '# HELP 1m Starts with a digit.', /invalid metric name "1m"/],
    ['invalid metric name in TYPE', '# TYPE my-metric counter', /invalid metric name "my-metric"/],
    ['invalid metric name in a sample', '-m 1', /expected a metric name/],
    ['invalid label name', 'm{1a="x"} 1', /expected a label name/],
    ['unquoted label value', 'm{a=x} 1', /expected a quoted value for label a/],
    ['no space before the value', 'm{a="1"}2', /expected a space before the value/],
  ])('%s', (_case, bad, message) => {
    const err = formatError(onLine3(bad));
    expect(err).toBeInstanceOf(TextFormatError);
    expect(err.name).toBe('TextFormatError');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^line 3: /);
    expect(err.message).toMatch(message);
  });

  it.each(['constructor', 'toString', '__proto__'])('rejects the inherited property name %s as a value', (bad) => {
    expect(formatError(onLine3(`m ${bad}`)).line).toBe(3);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('rejects the inherited property name %s as a TYPE', (bad) => {
    expect(formatError(onLine3(`# TYPE m ${bad}`)).message).toMatch(/unknown metric type/);
  });
});

describe('parsePrometheusText: ordering and uniqueness rules', () => {
  it('does not make the blanks between metric name and docstring part of HELP', () => {
    expect(parsePrometheusText('# HELP m   Spaced out.\n').families.get('m')?.help).toBe('Spaced out.');
  });

  it('rejects a second HELP line for the same metric', () => {
    expect(formatError('# HELP m One.\n# HELP m Two.\n').line).toBe(2);
  });

  it('rejects a TYPE line after samples of that metric', () => {
    expect(formatError('m 1\n# TYPE m gauge\n').line).toBe(2);
  });
});

describe('familyOf', () => {
  const { families } = parsePrometheusText(DOCS_EXAMPLE);

  it('maps histogram _bucket, _sum and _count samples to the histogram family', () => {
    expect(familyOf('http_request_duration_seconds_bucket', { le: '0.05' }, families)).toEqual({ family: 'http_request_duration_seconds', role: 'bucket' });
    expect(familyOf('http_request_duration_seconds_sum', {}, families)).toEqual({ family: 'http_request_duration_seconds', role: 'sum' });
    expect(familyOf('http_request_duration_seconds_count', {}, families)).toEqual({ family: 'http_request_duration_seconds', role: 'count' });
  });

  it('maps summary _sum and _count to the summary family, and quantile samples to role quantile', () => {
    expect(familyOf('rpc_duration_seconds_sum', {}, families)).toEqual({ family: 'rpc_duration_seconds', role: 'sum' });
    expect(familyOf('rpc_duration_seconds_count', {}, families)).toEqual({ family: 'rpc_duration_seconds', role: 'count' });
    expect(familyOf('rpc_duration_seconds', { quantile: '0.99' }, families)).toEqual({ family: 'rpc_duration_seconds', role: 'quantile' });
  });

  it('gives every sample of the documented example a role', () => {
    const roles = parsePrometheusText(DOCS_EXAMPLE).samples.map((s) => familyOf(s.name, s.labels, families).role);
    expect(roles).toEqual([
      ...Array<string>(5).fill('value'),
      ...Array<string>(6).fill('bucket'),
      'sum',
      'count',
      ...Array<string>(5).fill('quantile'),
      'sum',
      'count',
    ]);
  });

  it('leaves a suffix alone when the base family is not a histogram or summary', () => {
    const typed = parsePrometheusText('# TYPE jobs counter\n# TYPE queue gauge\n# TYPE misc untyped\n').families;
    expect(familyOf('jobs_count', {}, typed)).toEqual({ family: 'jobs_count', role: 'value' });
    expect(familyOf('queue_sum', {}, typed)).toEqual({ family: 'queue_sum', role: 'value' });
    expect(familyOf('misc_bucket', { le: '1' }, typed)).toEqual({ family: 'misc_bucket', role: 'value' });
  });

  it('leaves a suffix alone when the base family has no TYPE at all', () => {
    expect(familyOf('orphan_bucket', { le: '1' }, new Map())).toEqual({ family: 'orphan_bucket', role: 'value' });
    expect(familyOf('orphan_count', {}, new Map())).toEqual({ family: 'orphan_count', role: 'value' });
  });

  it('gives role value to a summary sample without a quantile label', () => {
    expect(familyOf('rpc_duration_seconds', {}, families)).toEqual({ family: 'rpc_duration_seconds', role: 'value' });
  });

  it('gives role value to a quantile label outside a summary', () => {
    expect(familyOf('http_requests_total', { quantile: '0.5' }, families)).toEqual({ family: 'http_requests_total', role: 'value' });
    expect(familyOf('untyped_thing', { quantile: '0.5' }, new Map())).toEqual({ family: 'untyped_thing', role: 'value' });
  });

  it('gives role value to a plain counter sample', () => {
    expect(familyOf('http_requests_total', { method: 'post', code: '200' }, families)).toEqual({ family: 'http_requests_total', role: 'value' });
  });
});

describe('parsePrometheusText: properties', () => {
  const now = Date.now();

  /** The TextFormatError `text` raises, or its exposition; anything else thrown fails the property. */
  const outcome = (text: string, limits = LIMITS) => {
    try {
      return { exposition: parseWith(text, limits) };
    } catch (err) {
      if (err instanceof TextFormatError) return { error: err };
      throw err;
    }
  };

  it('reads back every generated sample: name, labels, value, timestamp and line', () => {
    fc.assert(
      fc.property(fc.array(point(now), { minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r\n'), (points, eol) => {
        const text = points.map(textLine).join(eol) + eol;
        expect(parsePrometheusText(text).samples).toEqual(points.map((p, i) => ({ ...p, line: i + 1 })));
      }),
      { numRuns: 200 },
    );
  });

  it('throws nothing but a TextFormatError with a bounded message, whatever the text', () => {
    const token = fc.oneof(
      fc.constantFrom('#', ' ', '\t', '\n', '\r', '{', '}', '=', ',', '"', '\\', 'HELP', 'TYPE', 'EOF', 'NaN', '+Inf', 'e', '.', '-', '+', 'm', 'le', 'counter'),
      fc.string({ maxLength: 5 }),
      fc.integer().map(String),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const { error } = outcome(tokens.join(''));
        if (error) expect(error.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
      }),
      { numRuns: 500 },
    );
  });

  it.each(hostileTexts)('answers %s without a RegExp over it, fast, with a bounded message', async (_case, text) => {
    const started = performance.now();
    const { result, longest } = await regexpReach(() => outcome(text, { ...LIMITS, stopAfter: 10_001 }));
    expect(performance.now() - started).toBeLessThan(1000); // generous: 1 MiB of backtracking took minutes
    expect(longest).toBe(0);
    if (result.error) expect(result.error.message.length).toBeLessThanOrEqual(MESSAGE_MAX);
    else expect(result.exposition.samples.length).toBeLessThanOrEqual(10_001);
  });

  it('stops reading once it holds stopAfter samples, without reading the rest', () => {
    const text = 'm 1\n'.repeat(5) + 'this line is never read\n';
    expect(parseWith(text, { ...LIMITS, stopAfter: 5 }).samples).toHaveLength(5);
    expect(formatError(text).line).toBe(6);
  });

  it('caps names, label names, values and timestamps, naming the setting and quoting only a bounded start', () => {
    const cases: Array<[string, RegExp]> = [
      [`${'a'.repeat(257)} 1`, /metric name longer than 256 characters \(INGEST_MAX_NAME_LENGTH\), starting "a{40}"$/],
      [`# TYPE ${'a'.repeat(257)} gauge`, /metric name longer than 256 characters \(INGEST_MAX_NAME_LENGTH\)/],
      [`m{${'l'.repeat(129)}="x"} 1`, /label name longer than 128 characters \(INGEST_MAX_LABEL_NAME_LENGTH\)/],
      [`m ${'1'.repeat(65)}`, /value longer than 64 characters, starting "1{20}"… /],
      [`m 1 ${'1'.repeat(65)}`, /timestamp longer than 64 characters/],
    ];
    for (const [line, message] of cases) expect(formatError(line).message).toMatch(message);
    expect(parsePrometheusText(`${'a'.repeat(256)}{${'l'.repeat(128)}="x"} ${'1'.repeat(64)} ${'1'.repeat(13)}`).samples).toHaveLength(1);
  });

  it('reads what prom-client 15 writes: default metrics, a histogram and a summary', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const histogram = new Histogram({ name: 'http_request_duration_seconds', help: 'Request time.', labelNames: ['method', 'code'], registers: [registry] });
    for (const v of [0.01, 0.2, 3]) histogram.observe({ method: 'GET', code: '200' }, v);
    new Summary({ name: 'rpc_seconds', help: 'RPC "time"\nin seconds \\ total.', registers: [registry] }).observe(0.5);
    const { samples, families } = parsePrometheusText(await registry.metrics());
    expect(samples.find((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '+Inf')).toMatchObject({ labels: { method: 'GET', code: '200' }, value: 3 });
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
    expect(families.get('rpc_seconds')).toEqual({ type: 'summary', help: 'RPC "time"\nin seconds \\ total.' });
  });
});

describe('the series cache (scrape targets)', () => {
  const limits = { stopAfter: 1_000, maxNameLength: 256, maxLabelNameLength: 128, maxLabels: 16 };
  it('reads the same as without it, scrape after scrape, and hands a series read before its frozen labels', async () => {
    const { SeriesCache } = await import('./prometheus');
    const cache = new SeriesCache(100);
    const text = (v: number) => `# TYPE a counter\na{x="1",y="} 5"} ${v}\na{x="2"}   ${v + 1}\nb ${v}\nc{z="q"} ${v} 1700000000000\nd{e="\\"\\n"} ${v}\n`;
    for (const v of [1, 2, 3]) {
      const plain = parseWith(text(v), limits);
      const cached = parseWith(text(v), { ...limits, cache });
      expect(cached.samples.map(({ name, labels, value, timestamp }) => ({ name, labels: { ...labels }, value, timestamp }))).toEqual(
        plain.samples.map(({ name, labels, value, timestamp }) => ({ name, labels, value, timestamp })),
      );
    }
    // Lines with a timestamp are not remembered; the others are, once each.
    expect(cache.size).toBe(4);
    const again = parseWith(text(9), { ...limits, cache });
    expect(Object.isFrozen(again.samples[0]!.labels)).toBe(true);
    expect(again.samples[0]!.labels).toBe(parseWith(text(10), { ...limits, cache }).samples[0]!.labels);
    // A malformed value after a known series is still refused.
    expect(() => parseWith('a{x="2"} notanumber\n', { ...limits, cache })).toThrow(/not a number/);
    // Bounded: past its size it starts over.
    const small = new SeriesCache(2);
    parseWith(Array.from({ length: 10 }, (_, i) => `m${i} 1`).join('\n'), { ...limits, cache: small });
    expect(small.size).toBeLessThanOrEqual(2);
  });
});
