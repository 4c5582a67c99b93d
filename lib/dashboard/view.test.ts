import { describe, expect, it } from 'vitest';
import { parseView, toTimeRange, viewQuery } from './view';
import { formatWindow, presetsWithin, toTimeWindow, windowNote } from './windows';

const HOUR = 3_600_000;
const LIMITS = { maxLength: 4096, maxTerms: 64 };

describe('windows', () => {
  it('offers the presets within retention', () => {
    expect(presetsWithin(HOUR).map((w) => w.label)).toEqual(['1m', '5m', '15m', '1h']);
    expect(presetsWithin(86_400_000).map((w) => w.label)).toEqual(['1m', '5m', '15m', '1h', '6h', '24h']);
  });

  it('accepts a preset or a custom duration within retention, the retention beyond it, else the default', () => {
    expect(toTimeWindow('15m', HOUR)).toEqual({ label: '15m', ms: 900_000 });
    expect(toTimeWindow('30m', HOUR)).toEqual({ label: '30m', ms: 1_800_000 });
    expect(toTimeWindow('2h', HOUR)).toEqual({ label: '1h', ms: HOUR });
    expect(toTimeWindow('5s', HOUR)).toEqual({ label: '5m', ms: 300_000 });
    expect(toTimeWindow('15', HOUR)).toEqual({ label: '5m', ms: 300_000 });
    expect(toTimeWindow(undefined, 60_000)).toEqual({ label: '1m', ms: 60_000 });
  });

  it('says why a window asked for is not the one shown', () => {
    const note = (raw: string | undefined) => windowNote(raw, toTimeWindow(raw, HOUR));
    expect(note('2h')).toBe('Window "2h" is more than the 1h of history kept: showing 1h.');
    expect(note('5s')).toBe('Window "5s" is shorter than 10s: showing 5m.');
    expect(note('soon')).toBe('Window "soon" is not a duration such as 30m, 6h or 7d: showing 5m.');
    expect(note('x'.repeat(5_000))).toBe(`Window "${'x'.repeat(32)}…" is not a duration such as 30m, 6h or 7d: showing 5m.`);
    expect(note('30m')).toBeNull();
    expect(note(undefined)).toBeNull();
  });

  it('names a length the way the URL does', () => {
    expect(formatWindow(90_000)).toBe('90s');
    expect(formatWindow(7_200_000)).toBe('2h');
    expect(formatWindow(1_500)).toBe('1500ms');
  });
});

describe('view', () => {
  it('reads window, paused range and filter from the query', () => {
    expect(parseView({ window: '1h', from: '1000', to: '61000', q: 'route=/api' }, HOUR, LIMITS)).toEqual({
      window: { label: '1h', ms: HOUR },
      windowNote: null,
      range: { from: 1000, to: 61000 },
      filter: 'route=/api',
      filterProblem: null,
      queries: [],
      panels: {},
      hidden: {},
      panelNote: null,
    });
  });

  it('keeps a long filter whole, and says why one over the limits is not applied rather than cutting it', () => {
    const long = `route=${'a'.repeat(300)}`;
    expect(parseView({ q: long }, HOUR, LIMITS).filter).toBe(long);
    expect(parseView({ q: 'x'.repeat(4097) }, HOUR, LIMITS)).toMatchObject({
      filter: '',
      filterProblem: { reason: 'too_long', message: 'at most 4096 characters (QUERY_MAX_LENGTH)' },
    });
    const terms = Array.from({ length: 65 }, (_, i) => `t${i}`).join(' ');
    expect(parseView({ q: terms }, HOUR, LIMITS)).toMatchObject({
      filter: terms,
      filterProblem: { reason: 'too_many', message: 'at most 64 terms (QUERY_MAX_TERMS)' },
    });
  });

  it('ignores a malformed or too short range', () => {
    expect(toTimeRange('10', '500')).toBeNull();
    expect(toTimeRange('2000', '1000')).toBeNull();
    expect(toTimeRange('1e3', '5000')).toBeNull();
    expect(toTimeRange(undefined, '5000')).toBeNull();
  });

  it('round-trips through the query string', () => {
    const view = parseView({ window: '15m', from: '1700000000000', to: '1700000060000', q: 'cpu memory' }, HOUR, LIMITS);
    const query = viewQuery(view, '5m');
    expect(query).toBe('?window=15m&from=1700000000000&to=1700000060000&q=cpu+memory');
    expect(parseView(Object.fromEntries(new URLSearchParams(query)), HOUR, LIMITS)).toEqual(view);
    expect(viewQuery(parseView({}, HOUR, LIMITS), '5m')).toBe('');
  });
});
