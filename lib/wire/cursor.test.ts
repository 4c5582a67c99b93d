import { describe, expect, it } from 'vitest';
import { compareCursors } from './cursor';

describe('compareCursors', () => {
  it('orders the embedded bus’s <epoch36>-<seq> cursors', () => {
    expect(compareCursors('mwra74cr-9', 'mwra74cr-10')).toBeLessThan(0);
    expect(compareCursors('mwra74cr-10', 'mwra74cr-10')).toBe(0);
    expect(compareCursors('mwra74cs-1', 'mwra74cr-99')).toBeGreaterThan(0);
  });

  it('orders Redis stream ids exactly, one millisecond or one sequence number apart', () => {
    expect(compareCursors('1795966063854-0', '1795966063855-0')).toBeLessThan(0);
    expect(compareCursors('1795966063855-0', '1795966063854-7')).toBeGreaterThan(0);
    expect(compareCursors('1795966063854-9', '1795966063854-10')).toBeLessThan(0);
    expect(compareCursors('999999999999-0', '1000000000000-0')).toBeLessThan(0);
  });
});
