import { describe, expect, it } from 'vitest';
import { formatPanelOptions, MAX_PANEL_PARAMS } from './panel-options';
import { panelOptionsFrom, parsePanelOptions } from './panel-options-read';
import { logTicks, shapeRows, type ChartRow } from './shape';
import { viewQuery } from './view-query';
import { parseView } from './view';

describe('panel options in the URL', () => {
  it('reads every option and writes it back the same', () => {
    const { options, problems } = parsePanelOptions('stack,percent,log,int,heatmap,min:-1.5,max:1e3,unit:bytes');
    expect(problems).toEqual([]);
    expect(options).toEqual({ stack: true, percent: true, log: true, integer: true, heatmap: true, min: -1.5, max: 1000, unit: 'bytes' });
    expect(parsePanelOptions(formatPanelOptions(options)).options).toEqual(options);
    expect(formatPanelOptions({})).toBe('');
  });

  it('names what it leaves out, and never guesses', () => {
    const { options, problems } = parsePanelOptions('stack,wobble,min:abc,unit:parsecs,max:,log:1');
    expect(options).toEqual({ stack: true });
    expect(problems).toEqual([
      '"wobble" is not an option (stack, percent, log, int, heatmap, min:n, max:n, unit:u)',
      'min "abc" is not a number',
      'unit "parsecs" is not one of bytes, bytes_per_second, seconds, ratio, percent, per_second, celsius, none',
      'max "" is not a number',
      '"log:1" is not an option (stack, percent, log, int, heatmap, min:n, max:n, unit:u)',
    ]);
    expect(parsePanelOptions('min:5,max:5')).toEqual({ options: { min: 5 }, problems: ['max 5 is not above min 5'] });
    // Bounded: a long value is not read at all, a long part is quoted short.
    expect(parsePanelOptions('x'.repeat(201)).problems).toEqual(['longer than 200 characters']);
    expect(parsePanelOptions('y'.repeat(150)).problems[0]!.length).toBeLessThan(120);
  });

  it('takes p.<panel id> parameters, at most MAX_PANEL_PARAMS, and one note for all that was ignored', () => {
    const params: Record<string, string> = { q: 'x', 'p.memory': 'stack', 'p.metric:jobs': 'log,bogus' };
    expect(panelOptionsFrom(params)).toEqual({
      panels: { memory: { stack: true }, 'metric:jobs': { log: true } },
      hidden: {},
      note: 'Panel options ignored: "metric:jobs": "bogus" is not an option (stack, percent, log, int, heatmap, min:n, max:n, unit:u).',
    });
    const many = Object.fromEntries(Array.from({ length: MAX_PANEL_PARAMS + 5 }, (_, i) => [`p.m${i}`, 'log']));
    const read = panelOptionsFrom(many);
    expect(Object.keys(read.panels)).toHaveLength(MAX_PANEL_PARAMS);
    expect(read.note).toContain(`more than ${MAX_PANEL_PARAMS} panels' options`);
  });

  it('keeps lines switched off per panel: keys with commas, quotes and escapes, bounded', () => {
    const keys = ['jobs{queue="a,b"}', 'jobs{queue="say \\"hi\\"\\n"}'];
    const query = viewQuery({ window: { label: '5m', ms: 300_000 }, range: null, filter: '', hidden: { 'metric:jobs': keys } }, '5m');
    const params = Object.fromEntries(new URLSearchParams(query.slice(1)));
    expect(panelOptionsFrom(params).hidden).toEqual({ 'metric:jobs': keys });
    const many = Array.from({ length: 60 }, (_, i) => `k${i}`).join('\n');
    const read = panelOptionsFrom({ 'h.x': many, 'h.y': 'z'.repeat(2_000) });
    expect(read.hidden.x).toHaveLength(50);
    // A key over 1,024 characters is not kept; the panel is left with none.
    expect(read.hidden.y).toBeUndefined();
    expect(read.note).toContain('more than 50 hidden lines');
  });

  it('round-trips through a view and its query string', () => {
    const limits = { maxLength: 512, maxTerms: 16 };
    const view = parseView({ window: '15m', 'p.metric:a_total': 'percent,stack', 'p.cpu': 'max:0.5' }, 3_600_000, limits);
    const query = viewQuery(view, '5m');
    expect(query).toBe('?window=15m&p.cpu=max%3A0.5&p.metric%3Aa_total=stack%2Cpercent');
    const again = parseView(Object.fromEntries(new URLSearchParams(query.slice(1))), 3_600_000, limits);
    expect(again.panels).toEqual(view.panels);
  });
});

describe('shapeRows', () => {
  const rows: ChartRow[] = [
    { t: 1, s0: 1, s1: 3 },
    { t: 2, s0: 2 },
    { t: 3, s0: 0, s1: 4 },
  ];

  it('stacks each line on the ones before, counting a missing point with its last value', () => {
    expect(shapeRows(rows, [0, 1], { stack: true })).toEqual([
      { t: 1, s0: 1, o0: 1, s1: 4, o1: 3 },
      // Line 1 has no point at t=2: it is not drawn there, but nothing above it would fall through.
      { t: 2, s0: 2, o0: 2 },
      { t: 3, s0: 0, o0: 0, s1: 4, o1: 4 },
    ]);
  });

  it('gives shares of the total, and stacked shares reach 100 %', () => {
    const shares = shapeRows(rows, [0, 1], { percent: true, stack: true });
    expect(shares[0]).toEqual({ t: 1, s0: 0.25, o0: 1, s1: 1, o1: 3 });
    expect(shares[2]).toEqual({ t: 3, s0: 0, o0: 0, s1: 1, o1: 4 });
    // Hidden lines (not in `shown`) are out of the total.
    expect(shapeRows(rows, [1], { percent: true })[0]).toEqual({ t: 1, s1: 1, o1: 3 });
  });

  it('leaves values a log axis cannot place out, and the input untouched', () => {
    expect(shapeRows(rows, [0, 1], { log: true })[2]).toEqual({ t: 3, s1: 4, o1: 4 });
    expect(rows[2]).toEqual({ t: 3, s0: 0, s1: 4 });
    expect(shapeRows(rows, [0, 1], {})).toBe(rows);
  });

  it('log ticks: powers of ten, with 2 and 5 when the range is short', () => {
    expect(logTicks(3, 4_000)).toEqual([1, 10, 100, 1_000, 10_000]);
    expect(logTicks(0.2, 9)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logTicks(0, 10)).toEqual([1, 10]);
  });
});
