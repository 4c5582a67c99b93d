import { describe, expect, it } from 'vitest';
import { csvField, historyCsvStream, type CsvSeries } from './csv';

async function read(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of stream) chunks.push(decoder.decode(chunk));
  return chunks;
}

describe('historyCsvStream', () => {
  it('writes one row per point with the key quoted as RFC 4180 wants', async () => {
    const chunks = await read(
      historyCsvStream([
        { key: 'http_requests{route="/a,b"}', points: () => [[1_700_000_000_000, 0.30000000000000004]] },
        { key: 'up', points: () => [[1_700_000_001_000, 1], [1_700_000_002_000, -2.5e-7]] },
      ]),
    );
    expect(chunks.join('')).toBe(
      [
        'series,timestamp_ms,time_utc,value',
        '"http_requests{route=""/a,b""}",1700000000000,2023-11-14T22:13:20.000Z,0.30000000000000004',
        'up,1700000001000,2023-11-14T22:13:21.000Z,1',
        'up,1700000002000,2023-11-14T22:13:22.000Z,-2.5e-7',
        '',
      ].join('\r\n'),
    );
  });

  it('is the header alone for series without points', async () => {
    expect((await read(historyCsvStream([{ key: 'up', points: () => [] }]))).join('')).toBe('series,timestamp_ms,time_utc,value\r\n');
  });

  it('produces bounded chunks only as the reader pulls, reading each series when it gets there', async () => {
    const read: string[] = [];
    const series: CsvSeries[] = Array.from({ length: 50 }, (_, s) => ({
      key: `m{s="${s}"}`,
      points: () => {
        read.push(`m{s="${s}"}`);
        return Array.from({ length: 7_200 }, (_, i) => [1_700_000_000_000 + i * 500, i] as const);
      },
    }));
    const stream = historyCsvStream(series, 64 * 1024);
    const reader = stream.getReader();
    // Nothing is made before the first read.
    await new Promise((r) => setTimeout(r, 10));
    expect(read).toEqual([]);
    const first = await reader.read();
    expect(first.value!.length).toBeLessThan(64 * 1024 + 200);
    expect(read).toEqual(['m{s="0"}']);
    let bytes = first.value!.length;
    let chunks = 1;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      expect(r.value.length).toBeLessThan(64 * 1024 * 2);
      bytes += r.value.length;
      chunks++;
    }
    expect(read).toHaveLength(50);
    // 360,000 rows of about 54 bytes: some 300 chunks, none of them the whole file.
    expect(bytes).toBeGreaterThan(360_000 * 50);
    expect(chunks).toBeGreaterThan(200);
  });

  it('stops reading series once the reader cancels', async () => {
    let reads = 0;
    const series = Array.from({ length: 10 }, (_, s) => ({ key: `m${s}`, points: () => (reads++, Array.from({ length: 5_000 }, (_, i) => [i, i] as const)) }));
    const reader = historyCsvStream(series, 1024).getReader();
    await reader.read();
    await reader.cancel();
    expect(reads).toBe(1);
  });
});

describe('csvField', () => {
  it('quotes only what needs it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });
});
