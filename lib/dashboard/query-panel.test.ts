import { describe, expect, it } from 'vitest';
import type { SeriesMeta } from '@/lib/schema';
import type { Pair } from '@/lib/wire';
import { compileQueryPanel, type HeldSeries } from './query-panel';
import { QUERY_PANELS_MAX, queryPanelId } from './query-panel-ref';
import { queryPanelsFrom } from './view';

const limits = { maxLength: 200, maxTerms: 4 };
const T = 1_700_000_000_000;

const counter = (route: string, status: string, perSecond: number): HeldSeries => {
  const meta: SeriesMeta = { key: `req_total{route="${route}",status="${status}"}`, name: 'req_total', labels: { route, status }, unit: 'none', type: 'counter' };
  const points: Pair[] = Array.from({ length: 61 }, (_, i) => [T + i * 1_000, 100 + perSecond * i]);
  return { meta, points };
};
const held = [counter('/a', '200', 1), counter('/b', '200', 2), counter('/a', '500', 0.5)];
const ref = (text: string) => ({ id: queryPanelId(text), text, problem: null });
const last = (points: readonly Pair[]) => points.at(-1)?.[1];

describe('query panels', () => {
  it('sums counters as rates by a label, titled by the query, in per-second units', () => {
    const { panel, series } = compileQueryPanel(ref('sum by (status) (req_total)'))(held, T, T + 60_000, 1_000);
    expect(panel.title).toBe('sum by (status) (req_total)');
    expect(panel.unit).toBe('per_second');
    expect(panel.lines.map((l) => l.label)).toEqual(['status=200', 'status=500']);
    expect(series.map((s) => last(s.points))).toEqual([3, 0.5]);
  });

  it('narrows lines with a matcher, names them by their labels, and counts series in no unit', () => {
    const narrowed = compileQueryPanel(ref('req_total{status!="500"}'))(held, T, T + 60_000, 1_000);
    expect(narrowed.panel.lines.map((l) => l.label)).toEqual(['route=/a status=200', 'route=/b status=200']);
    const counted = compileQueryPanel(ref('count(req_total)'))(held, T, T + 60_000, 1_000);
    expect(counted.panel.unit).toBe('none');
    expect(counted.panel.lines.map((l) => l.label)).toEqual(['count']);
    expect(last(counted.series[0]!.points)).toBe(3);
  });

  it('reads the URL’s queries in order, once each, at most QUERY_PANELS_MAX, and says why one is not drawn', () => {
    const { queries, ignored } = queryPanelsFrom(['sum(req_total)', ' sum(req_total) ', 'sum  (req_total)', 'sum by (status', 'x{a="1",b="2",c="3",d="4",e="5"}', 'y'.repeat(201), ''], limits);
    // Named by the canonical form: one panel for the three spellings.
    expect(queries.map((q) => [q.text.slice(0, 20), q.problem?.slice(0, 30) ?? null])).toEqual([
      ['sum (req_total)', null],
      ['sum by (status', 'expected ")", found the end at'],
      ['x{a="1",b="2",c="3",', 'more than 4 matchers and label'],
      ['yyyyyyyyyyyyyyyyyyyy', 'at most 200 characters (QUERY_'],
    ]);
    expect(queries[3]!.text.length).toBeLessThanOrEqual(65);
    expect(ignored).toBe(0);
    const many = queryPanelsFrom(Array.from({ length: QUERY_PANELS_MAX + 3 }, (_, i) => `m${i}`), limits);
    expect([many.queries.length, many.ignored]).toEqual([QUERY_PANELS_MAX, 3]);
  });

  it('refuses a query whose matching would cost more than QUERY_MAX_WORK over the keys held, counting the panels before it', () => {
    const { queries } = queryPanelsFrom('*a*b*c*', limits, { maxWork: 1_000, chars: 1_000_000, series: 10_000 });
    expect(queries[0]!.problem).toMatch(/QUERY_MAX_WORK/);
    const work = { maxWork: 30, chars: 10, series: 1 };
    const shared = queryPanelsFrom(['a', 'b', 'c', 'd'], limits, work);
    expect(shared.queries.map((q) => q.problem === null)).toEqual([true, true, true, false]);
    expect(shared.queries[3]!.problem).toMatch(/^the query panels up to this one would cost/);
  });

  it('shares one QUERY_MAX_LENGTH of text among the query panels', () => {
    const { queries } = queryPanelsFrom(['a'.repeat(150), 'b'.repeat(150)], limits);
    expect(queries[0]!.problem).toBeNull();
    expect(queries[1]!.problem).toMatch(/at most 200 characters in all/);
  });

  it('gives each query an id safe in an HTML id and a URL key, the same for the same text', () => {
    expect(queryPanelId('sum by (status) (req_total{a="x y"})')).toMatch(/^query:[0-9a-z]+$/);
    expect(queryPanelId('a')).toBe(queryPanelId('a'));
    expect(queryPanelId('a')).not.toBe(queryPanelId('b'));
  });
});
