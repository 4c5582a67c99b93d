import { describe, expect, it } from 'vitest';
import { compileSeriesFilter } from './glob';
import { toSeriesKey } from './key';

const CPU0 = toSeriesKey('host_cpu_core_utilization_ratio', { cpu: '0', instance: 'web-1' });
const CPU12 = toSeriesKey('host_cpu_core_utilization_ratio', { cpu: '12', instance: 'web-1' });
const MEM = toSeriesKey('host_memory_used_bytes', { instance: 'web-1' });

describe('compileSeriesFilter', () => {
  it('matches any run of characters, including none, with *', () => {
    const f = compileSeriesFilter(['host_cpu_*']);
    expect(f.matches(CPU0)).toBe(true);
    expect(f.matches('host_cpu_')).toBe(true);
    expect(f.matches(MEM)).toBe(false);
    // The glob covers the whole key, not a substring of it.
    expect(f.matches(`x${CPU0}`)).toBe(false);
  });

  it('matches exactly one character with ?', () => {
    const f = compileSeriesFilter(['host_cpu_core_utilization_ratio{cpu="?",*']);
    expect(f.matches(CPU0)).toBe(true);
    expect(f.matches(CPU12)).toBe(false);
    expect(compileSeriesFilter(['a?c']).matches('ac')).toBe(false);
    expect(compileSeriesFilter(['a?c']).matches('abc')).toBe(true);
  });

  it('matches one astral character, such as an emoji, with ?', () => {
    expect(compileSeriesFilter(['m{x="?"}']).matches('m{x="😀"}')).toBe(true);
  });

  it('matches a character outside ASCII with ?', () => {
    expect(compileSeriesFilter(['m{x="?"}']).matches('m{x="é"}')).toBe(true);
    expect(compileSeriesFilter(['m{x="?"}']).matches('m{x="中"}')).toBe(true);
  });

  it('lets * span label values that hold newlines', () => {
    const key = toSeriesKey('log_lines', { msg: 'two\nlines' });
    expect(key).toContain('\\n'); // keys hold escaped newlines...
    expect(compileSeriesFilter(['log_*']).matches(key)).toBe(true);
    // ...but a raw newline must not stop a * either.
    expect(compileSeriesFilter(['a*b']).matches('a\nb')).toBe(true);
  });

  it.each(['.', '+', '^', '$', '{', '}', '(', ')', '|', '[', ']', '\\', '/', '-'])(
    'treats the regex metacharacter %s in a glob as a literal',
    (c) => {
      const f = compileSeriesFilter([`a${c}b`]);
      expect(f.matches(`a${c}b`)).toBe(true);
      expect(f.matches('axb')).toBe(false);
      expect(f.matches('ab')).toBe(false);
    },
  );

  it('does not let a glob with regex syntax match more than its literal text', () => {
    expect(compileSeriesFilter(['a.b']).matches('a.b')).toBe(true);
    expect(compileSeriesFilter(['a.b']).matches('aXb')).toBe(false);
    expect(compileSeriesFilter(['(a|b)']).matches('a')).toBe(false);
    expect(compileSeriesFilter(['[ab]']).matches('a')).toBe(false);
    expect(compileSeriesFilter(['x{2}']).matches('xx')).toBe(false);
    expect(compileSeriesFilter(['m{cpu="0"}']).matches('m{cpu="0"}')).toBe(true);
  });

  it('matches a key matched by any of several globs', () => {
    const f = compileSeriesFilter(['host_memory_*', 'host_cpu_core_utilization_ratio{cpu="1?"*']);
    expect(f.matches(MEM)).toBe(true);
    expect(f.matches(CPU12)).toBe(true);
    expect(f.matches(CPU0)).toBe(false);
    expect(f.matches('nodejs_heap_used_bytes')).toBe(false);
  });

  it('matches every series for an empty list, blank globs, or a list holding *', () => {
    for (const globs of [[], [''], ['  ', ''], ['*'], ['host_*', '*']]) {
      const f = compileSeriesFilter(globs);
      expect(f.id, JSON.stringify(globs)).toBe('*');
      expect(f.matches(CPU0)).toBe(true);
      expect(f.matches('anything{at="all"}')).toBe(true);
    }
  });

  it('gives equal filters the same id whatever the order, duplicates or surrounding spaces', () => {
    const a = compileSeriesFilter(['b_*', 'a_*']);
    const b = compileSeriesFilter(['a_*', ' b_* ', 'a_*', '']);
    expect(a.id).toBe(b.id);
    expect(compileSeriesFilter(['a_*']).id).not.toBe(a.id);
    expect(compileSeriesFilter(['a_?']).id).not.toBe(compileSeriesFilter(['a_*']).id);
  });

  it('keeps a comma inside one glob literal rather than splitting it', () => {
    // ['a,b'] is one glob matching a literal comma; ['a','b'] is two globs.
    const one = compileSeriesFilter(['a,b']);
    const two = compileSeriesFilter(['a', 'b']);
    expect(one.matches('a,b')).toBe(true);
    expect(two.matches('a,b')).toBe(false);
    expect(two.matches('a')).toBe(true);
  });
});

describe('compileSeriesFilter against hostile globs', () => {
  // A backtracking RegExp spends seconds to minutes on these (past the test timeout); the matcher is linear.
  it('answers globs that make a backtracking RegExp stall', () => {
    const key = `host_cpu_core_utilization_ratio{cpu="1",instance="a-rather-long-host-name.internal"}`;
    for (const glob of ['*********!', '?*?*?*?*?*?*!', '*a*a*a*a*a*a*a*a*!']) {
      expect(compileSeriesFilter([glob]).matches(key)).toBe(false);
    }
    expect(compileSeriesFilter(['*?*?*internal"}']).matches(key)).toBe(true);
  });
});
