import { describe, expect, it } from 'vitest';
import { csvField, historyCsv } from './csv';

describe('historyCsv', () => {
  it('writes one row per point with the key quoted as RFC 4180 wants', () => {
    const csv = historyCsv([
      { key: 'http_requests{route="/a,b"}', points: [[1_700_000_000_000, 0.30000000000000004]] },
      { key: 'up', points: [[1_700_000_001_000, 1], [1_700_000_002_000, -2.5e-7]] },
    ]);
    expect(csv).toBe(
      [
        'series,timestamp_ms,time_utc,value',
        '"http_requests{route=""/a,b""}",1700000000000,2023-11-14T22:13:20.000Z,0.30000000000000004',
        'up,1700000001000,2023-11-14T22:13:21.000Z,1',
        'up,1700000002000,2023-11-14T22:13:22.000Z,-2.5e-7',
        '',
      ].join('\r\n'),
    );
  });

  it('quotes only what needs it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });
});
