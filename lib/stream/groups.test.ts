import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSeriesFilter, type SeriesFilter } from '@/lib/series';
import { FilterGroups, type Group } from './groups';

/** A filter that counts how often its globs run. */
function counting(globs: string[]): SeriesFilter & { calls: number } {
  const inner = compileSeriesFilter(globs);
  const filter = {
    id: inner.id,
    cost: inner.cost,
    calls: 0,
    matches: (key: string) => {
      filter.calls++;
      return inner.matches(key);
    },
  };
  return filter;
}

/** What `groupsOf` must answer: every open group whose filter matches, by brute force. */
const expected = (open: readonly Group[], key: string) => open.filter((g) => g.filter.matches(key)).map((g) => g.serial).sort();
const answered = (groups: FilterGroups, key: string) => groups.groupsOf(key).map((g) => g.serial).sort();

// Short keys and globs over a small alphabet, so that many of them match.
const key = fc.stringMatching(/^[ab]{0,4}$/);
const glob = fc.stringMatching(/^[ab*?]{1,4}$/);
const ops = (maxLength: number) =>
  fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('open' as const), globs: fc.array(glob, { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('look' as const), pick: fc.nat(), key }),
    ),
    { maxLength },
  );
type Op = ReturnType<typeof ops> extends fc.Arbitrary<Array<infer T>> ? T : never;

/** Opens and closes groups as `ops` say, the open ones kept as a model; `look` is called with them for each look. */
function play(groups: FilterGroups, list: readonly Op[], look: (open: readonly Group[], key: string, pick: number) => void): void {
  const open: Group[] = [];
  for (const o of list) {
    if (o.kind === 'open') {
      const g = groups.join(compileSeriesFilter(o.globs));
      if (!open.includes(g)) open.push(g);
    } else if (o.kind === 'close' && open.length > 0) {
      const [g] = open.splice(o.pick % open.length, 1);
      if (g) groups.release(g);
    } else if (o.kind === 'look') {
      look(open, o.key, o.pick);
    }
  }
}

describe('FilterGroups', () => {
  it('gives the same groups as matching every filter, through groups opening and closing and new keys appearing', () => {
    fc.assert(
      fc.property(ops(60), fc.integer({ min: 1, max: 8 }), (list, maxKeys) => {
        const groups = new FilterGroups(maxKeys);
        play(groups, list, (open, k) => {
          expect(answered(groups, k)).toEqual(expected(open, k));
          expect(groups.cachedKeys).toBeLessThanOrEqual(maxKeys);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('runs a filter over a key once while the key stays cached, and once more for a group opened later', () => {
    const groups = new FilterGroups(100);
    const cpu = counting(['host_cpu_*']);
    const a = groups.join(cpu);
    for (let i = 0; i < 100; i++) expect(groups.groupsOf('host_cpu_seconds_total')).toEqual([a]);
    expect(cpu.calls).toBe(1);

    const mem = counting(['host_memory_*', 'host_cpu_*']);
    const b = groups.join(mem);
    for (let i = 0; i < 100; i++) expect(groups.groupsOf('host_cpu_seconds_total')).toEqual([a, b]);
    expect([cpu.calls, mem.calls]).toEqual([1, 1]);

    // A series that appears later is matched once against each group.
    for (let i = 0; i < 100; i++) expect(groups.groupsOf('host_memory_used_bytes')).toEqual([b]);
    expect([cpu.calls, mem.calls]).toEqual([2, 2]);
  });

  it('drops a closed group from cached answers, and a reopened filter is a new group', () => {
    const groups = new FilterGroups(100);
    const a = groups.join(compileSeriesFilter(['m*']));
    expect(groups.groupsOf('m1')).toEqual([a]);
    groups.release(a);
    expect(groups.groupsOf('m1')).toEqual([]);
    expect(groups.size).toBe(0);
    const again = groups.join(compileSeriesFilter(['m*']));
    expect(again).not.toBe(a);
    expect(groups.groupsOf('m1')).toEqual([again]);
  });

  it('holds at most maxKeys keys however many series pass, and still answers rightly after starting over', () => {
    const groups = new FilterGroups(1_000);
    const filter = counting(['m{i="1*']);
    const g = groups.join(filter);
    let wrong = 0;
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = `m{i="${i}"}`;
      if (groups.check(g, key) !== key.startsWith('m{i="1')) wrong++;
      most = Math.max(most, groups.cachedKeys);
    }
    expect(wrong).toBe(0);
    expect(most).toBe(1_000);
    expect(filter.calls).toBe(10_000);
  });

  it('admits a new filter only below maxGroups, and a filter already open always', () => {
    const groups = new FilterGroups(100, 2);
    const a = groups.join(compileSeriesFilter(['a*']));
    groups.join(compileSeriesFilter(['b*']));
    expect(groups.admits(compileSeriesFilter(['c*']))).toBe(false);
    expect(groups.admits(compileSeriesFilter(['a*', 'a*']))).toBe(true);
    groups.release(a);
    expect(groups.admits(compileSeriesFilter(['c*']))).toBe(true);
  });

  it('answers pairs checked in any order as matching every filter would, and settles a key once every group has it', () => {
    fc.assert(
      fc.property(ops(80), (list) => {
        const groups = new FilterGroups(100);
        play(groups, list, (open, k, pick) => {
          if (open.length === 0) return;
          const g = open[pick % open.length] as Group;
          expect(groups.check(g, k)).toBe(g.filter.matches(k));
          expect(groups.known(g, k)).toBe(true);
          const all = open.every((x) => groups.known(x, k));
          expect(groups.settled(k)).toBe(all);
          if (all) expect(answered(groups, k)).toEqual(expected(open, k));
        });
      }),
      { numRuns: 300 },
    );
  });
});
