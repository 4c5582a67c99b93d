import { describe, expect, it } from 'vitest';
import { matchesFilter } from './filter';
import type { Panel } from './layout';

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

describe('matchesFilter', () => {
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
  });

  it('treats regular-expression characters literally, and a label value as a whole', () => {
    expect(matchesFilter(panel, '(')).toBe(false);
    expect(matchesFilter(panel, 'route=/ap')).toBe(false);
    expect(matchesFilter(panel, 'status=5*')).toBe(true);
  });
});
