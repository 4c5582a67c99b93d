import { describe, expect, it } from 'vitest';
import { compileSelector } from '@/lib/query';
import { metricMatch } from './browse';

const limits = { maxLength: 100, maxTerms: 3 };

describe('metricMatch (a metric page’s ?match=)', () => {
  it('reads label matchers of the query grammar, braces optional, as a selector of the metric', () => {
    const a = metricMatch('http_requests_total', 'status="500", route=~"/api*"', limits);
    const b = metricMatch('http_requests_total', ' {status="500", route=~"/api*"} ', limits);
    expect(a.problem).toBeNull();
    expect(b.selector).toEqual(a.selector);
    const s = compileSelector(a.selector!);
    expect(s.matches('http_requests_total', { status: '500', route: '/api/items' })).toBe(true);
    expect(s.matches('http_requests_total', { status: '200', route: '/api/items' })).toBe(false);
    expect(s.matches('other_total', { status: '500', route: '/api/items' })).toBe(false);
  });

  it('applies nothing without matchers, and says what is wrong with a bad one, bounded', () => {
    expect(metricMatch('m', '  ', limits)).toEqual({ text: '', problem: null, selector: null });
    expect(metricMatch('m', 'status="500" route', limits).problem).toMatch(/at character/);
    expect(metricMatch('m', 'a="1",b="2",c="3",d="4"', limits).problem).toMatch(/QUERY_MAX_TERMS/);
    const long = metricMatch('m', `a="${'x'.repeat(200)}"`, limits);
    expect(long.problem).toMatch(/QUERY_MAX_LENGTH/);
    expect(long.text.length).toBeLessThanOrEqual(65);
    // Not a way to reach another metric or shape the query.
    expect(metricMatch('m', '} or other{', limits).problem).not.toBeNull();
    expect(metricMatch('m', 'a="1"}) + sum(x{', limits).problem).not.toBeNull();
  });
});
