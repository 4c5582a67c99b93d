import { describe, expect, it } from 'vitest';
import type { Sample } from '@/lib/schema';
import { ItemText } from './encode';

describe('ItemText', () => {
  const keys = ['up', 'cpu{core="0"}', 'tenant{name="søren ☃ 😀"}', 'lone{v="\ud800"}', 'q{v="say \\"hi\\"\\n"}', `long{v="${'x'.repeat(300)}"}`];
  const numbers = [0, -0, 1, 9, 10, 99, 100, 1_796_134_227_147, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, -1, -12.5, 0.1, 5e-7, 12.34, 1.7976931348623157e308, -5e-324];

  it('writes a sample as JSON.stringify would, and sizes it exactly without writing it', () => {
    for (const series of keys) {
      for (const t of numbers) {
        for (const v of numbers) {
          const s: Sample = { series, t, v };
          const sized = new ItemText().sampleBytes(s);
          const items = new ItemText();
          const piece = items.of(s);
          expect(piece.text).toBe(JSON.stringify(s));
          // A lone surrogate is written as U+FFFD (three bytes), as TextEncoder does.
          expect(piece.bytes).toBe(new TextEncoder().encode(piece.text).length);
          expect(sized).toBe(piece.bytes);
          expect(items.sampleBytes(s)).toBe(piece.bytes);
        }
      }
    }
  });

  it('counts a selection as the sum of its items with their commas and framing', () => {
    const items = new ItemText();
    const samples: Sample[] = keys.map((series, i) => ({ series, t: 1_700_000_000_000 + i, v: i / 3 }));
    const bare = items.bytesOf({ metrics: [], series: [], samples: [] });
    const total = items.bytesOf({ metrics: [], series: keys, samples });
    const expected = [...keys.map((k) => JSON.stringify(k)), ...samples.map((s) => JSON.stringify(s))].reduce((n, text) => n + new TextEncoder().encode(text).length + 1, 0);
    expect(total - bare).toBe(expected);
  });
});
