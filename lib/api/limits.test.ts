import { describe, expect, it } from 'vitest';
import { HttpError } from '@/lib/http';
import { compileSeriesFilter } from '@/lib/series';
import { Store } from '@/lib/store';
import { admitSeriesFilter, workLimit } from './limits';

function storeOf(keys: readonly string[]): Store {
  const store = new Store({ retentionMs: 60_000, maxPointsPerSeries: 10, maxSeries: 1_000 });
  store.apply({ id: 'test-1', samples: keys.map((series) => ({ series, t: Date.now(), v: 1 })) });
  return store;
}

/** The issues of the 400 admitSeriesFilter throws, or null when it admits the filter. */
function refusal(run: () => void): { status: number; error: string; issues: HttpError['issues'] } | null {
  try {
    run();
    return null;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { status: err.status, error: err.message, issues: err.issues };
  }
}

describe('admitSeriesFilter', () => {
  const store = storeOf(Array.from({ length: 50 }, (_, i) => `http_requests_total{route="/api/${i}",status="200"}`));
  const filter = compileSeriesFilter(Array.from({ length: 8 }, (_, i) => `*x?${i}*`));
  const work = filter.cost * store.keyChars;

  it('refuses a filter exactly when cost × the key characters held is over QUERY_MAX_WORK', () => {
    expect(store.keyChars).toBeGreaterThan(0);
    expect(refusal(() => admitSeriesFilter(filter, workLimit({ QUERY_MAX_WORK: work }, store), 'invalid series query'))).toBeNull();
    expect(refusal(() => admitSeriesFilter(filter, workLimit({ QUERY_MAX_WORK: work - 1 }, store), 'invalid stream query'))).toEqual({
      status: 400,
      error: 'invalid stream query',
      issues: [
        {
          path: 'series',
          message: `this filter would cost about ${Number(work.toPrecision(3))} matching steps over the 50 series held, more than QUERY_MAX_WORK (${work - 1}): use fewer globs, fewer or shorter ? pieces`,
        },
      ],
    });
  });

  it('admits any filter over an empty store, and matching everything anywhere', () => {
    expect(refusal(() => admitSeriesFilter(filter, workLimit({ QUERY_MAX_WORK: 10_000 }, storeOf([])), 'invalid series query'))).toBeNull();
    expect(refusal(() => admitSeriesFilter(compileSeriesFilter(['*']), workLimit({ QUERY_MAX_WORK: 10_000 }, store), 'invalid series query'))).toBeNull();
  });
});
