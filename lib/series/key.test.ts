import { describe, expect, it } from 'vitest';
import { escapeLabelValue, parseSeriesKey, SeriesKeyError, toSeriesKey } from './key';

describe('series keys', () => {
  it('is the bare metric name when there are no labels', () => {
    expect(toSeriesKey('up', undefined)).toBe('up');
    expect(toSeriesKey('up', {})).toBe('up');
  });

  it('sorts labels by name, so insertion order does not change the key', () => {
    const a = toSeriesKey('http_requests_total', { method: 'GET', code: '200', instance: 'web-1' });
    const b = toSeriesKey('http_requests_total', { instance: 'web-1', code: '200', method: 'GET' });
    expect(a).toBe('http_requests_total{code="200",instance="web-1",method="GET"}');
    expect(b).toBe(a);
  });

  it('escapes backslash, double quote and newline exactly as the Prometheus text format does', () => {
    expect(escapeLabelValue('C:\\dir')).toBe('C:\\\\dir');
    expect(escapeLabelValue('say "hi"')).toBe('say \\"hi\\"');
    expect(escapeLabelValue('two\nlines')).toBe('two\\nlines');
    // A backslash before an n stays two characters; only a real newline becomes \n.
    expect(escapeLabelValue('\\n')).toBe('\\\\n');
    // Prometheus leaves every other character alone, CR and tab included.
    expect(escapeLabelValue('tab\tcr\r{},=é')).toBe('tab\tcr\r{},=é');
    expect(toSeriesKey('m', { path: 'a"b\\c\nd' })).toBe('m{path="a\\"b\\\\c\\nd"}');
  });

  it('parses a key without labels to its name and no labels', () => {
    expect(parseSeriesKey('up')).toEqual({ name: 'up', labels: {} });
  });

  it('parses a canonical key back into its name and labels', () => {
    expect(parseSeriesKey('http_requests_total{code="200",method="GET"}')).toEqual({
      name: 'http_requests_total',
      labels: { code: '200', method: 'GET' },
    });
  });

  it.each([
    ['double quotes', 'say "hi"'],
    ['backslashes', 'C:\\Program Files\\x'],
    ['a trailing backslash', 'ends with \\'],
    ['a backslash before n', 'not a newline: \\n'],
    ['newlines', 'line one\nline two\n'],
    ['carriage return and tab', 'a\r\nb\tc'],
    ['commas', 'a,b,c'],
    ['braces', '{x="1"}'],
    ['equals signs', 'k=v'],
    ['a quote then comma then name', '",other="'],
    ['unicode', 'naïve Ωμέγα 😀 中文'],
    ['an empty value', ''],
  ])('round-trips a label value with %s', (_, value) => {
    const labels = { a: value, z: 'plain', m: value.split('').reverse().join('') };
    const key = toSeriesKey('metric_name', labels);
    expect(parseSeriesKey(key)).toEqual({ name: 'metric_name', labels });
    // And the key is canonical: building it again from the parsed labels gives the same string.
    expect(toSeriesKey('metric_name', parseSeriesKey(key).labels)).toBe(key);
  });

  it.each([
    ['no closing brace', 'm{a="1"'],
    ['a label without a value', 'm{a}'],
    ['an unquoted value', 'm{a=1}'],
    ['an unterminated value', 'm{a="1}'],
    ['an escaped closing quote', 'm{a="1\\"}'],
    ['a stray comma', 'm{,}'],
  ])('throws SeriesKeyError for a key with %s', (_, key) => {
    expect(() => parseSeriesKey(key)).toThrow(SeriesKeyError);
    try {
      parseSeriesKey(key);
    } catch (err) {
      expect((err as Error).name).toBe('SeriesKeyError');
      expect((err as Error).message).toContain(JSON.stringify(key));
    }
  });
});
