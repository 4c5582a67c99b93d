import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from '@/lib/schema';
import { startCollector, type Collector } from './collector';

let collector: Collector | undefined;
afterEach(() => {
  collector?.stop();
  vi.useRealTimers();
});

describe('startCollector', () => {
  it('marks its batches as the collector’s and keeps each within maxBatch samples (INGEST_MAX_POINTS)', () => {
    vi.useFakeTimers();
    const batches: Batch[] = [];
    collector = startCollector({
      intervalMs: 1000,
      instance: 'web-1',
      maxBatch: 4,
      publish: async (batch) => batches.push(batch),
      self: () => ({ streamsOpen: 0, seriesCount: 0, pointsPublishedTotal: 0, eventsSentTotal: 0 }),
    });
    vi.advanceTimersByTime(300); // the first reading, a quarter second after start
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      expect(b.origin).toBe('collector');
      expect(b.samples.length).toBeLessThanOrEqual(4);
    }
    const keys = batches.flatMap((b) => b.samples.map((s) => s.series));
    expect(keys).toContain('host_memory_total_bytes{instance="web-1"}');
    expect(keys.every((k) => k.includes('instance="web-1"'))).toBe(true);
  });
});
