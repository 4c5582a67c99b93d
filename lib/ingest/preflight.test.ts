import { describe, expect, it } from 'vitest';
import { HttpError } from '@/lib/http';
import { placeIssues } from '@/lib/points';
import type { Batch } from '@/lib/schema';
import { preflight, type StoreView } from './preflight';

const CPU = 'host_cpu_utilization_ratio{instance="web-1"}';

/** A store view holding `series` (key → newest time), of which `collector` are the collector's. */
function view(series: Record<string, number>, collector: string[] = [], maxSeries = 10): StoreView {
  return {
    has: (key) => key in series,
    newest: (key) => series[key],
    reserved: (key) => collector.includes(key),
    size: Object.keys(series).length,
    maxSeries,
  };
}

/** The HttpError preflight throws; fails the test when it throws none. */
function refusal(batch: Batch, store: StoreView): HttpError {
  try {
    preflight(batch, batch.samples.map((_, i) => i), store, (issues) => placeIssues(issues));
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('preflight passed');
}

describe('preflight', () => {
  it('refuses a series Pulseboard’s collector writes with 422, naming it and what to do instead', () => {
    const err = refusal({ samples: [{ series: 'ok', t: 2, v: 1 }, { series: CPU, t: 2, v: 1 }] }, view({ [CPU]: 1 }, [CPU]));
    expect(err.status).toBe(422);
    expect(err.issues).toEqual([{ path: 'points[1]', message: expect.stringMatching(/^"host_cpu_utilization_ratio\{instance=\\"web-1\\"\}" is written by Pulseboard's own collector; .*another instance label/) as unknown }]);
  });

  it('accepts the same metric without the collector’s instance label', () => {
    expect(() => preflight({ samples: [{ series: 'host_cpu_utilization_ratio', t: 2, v: 1 }] }, [0], view({ [CPU]: 1 }, [CPU]), placeIssues)).not.toThrow();
  });

  it('refuses a point older than its series’ newest with 422, and new series over MAX_SERIES with 429', () => {
    expect(refusal({ samples: [{ series: 'a', t: 1, v: 1 }] }, view({ a: 5 })).issues[0]?.message).toMatch(/older than the newest stored point of "a" \(5\)/);
    const cap = refusal({ samples: [{ series: 'b', t: 1, v: 1 }, { series: 'c', t: 1, v: 1 }] }, view({ a: 5 }, [], 2));
    expect(cap.status).toBe(429);
    expect(cap.message).toMatch(/MAX_SERIES=2/);
  });
});
