import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileSeriesFilter, globSteps } from './glob';
import { toSeriesKey } from './key';
import { JS_STEP } from './piece';

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

/**
 * The reference: whole-text glob matching over code points by dynamic programming, O(glob × text),
 * obviously right and far too slow for request input.
 */
function reference(glob: string, text: string, anyChar = true): boolean {
  const g = [...glob];
  const t = [...text];
  // row[j]: whether g[i..] matches t[j..], filled from the last glob character back.
  let row = t.map(() => false).concat(true);
  for (let i = g.length - 1; i >= 0; i--) {
    const next = Array<boolean>(t.length + 1).fill(false);
    for (let j = t.length; j >= 0; j--) {
      if (g[i] === '*') next[j] = row[j]! || (j < t.length && next[j + 1]!);
      else next[j] = j < t.length && ((anyChar && g[i] === '?') || g[i] === t[j]) && row[j + 1]!;
    }
    row = next;
  }
  return row[0]!;
}

// Few characters, so globs and texts often meet: `*` and `?`, the characters a key is made of,
// accents, an emoji (two UTF-16 units), and a lone surrogate.
const CHARS = ['a', 'b', '*', '?', '=', '"', ',', '{', '}', '\\', 'é', '中', '😀', '\ud83d'];
const small = fc.array(fc.constantFrom(...CHARS), { maxLength: 14 }).map((cs) => cs.join(''));
const noStars = small.map((s) => s.replace(/[*?]/g, 'a'));
/** A glob made from `text`: some characters become `?`, some runs `*`, so it often matches. */
const globOf = (text: string) =>
  fc.array(fc.constantFrom('keep', 'keep', 'any', 'star', 'drop', 'insert'), { minLength: [...text].length, maxLength: [...text].length }).map((ops) =>
    [...text].map((c, i) => ({ keep: c, any: '?', star: '*', drop: '', insert: `${c}*` })[ops[i]!]).join(''),
  );

describe('compileGlob agrees with a reference matcher', () => {
  it('on random globs and texts', () => {
    fc.assert(
      fc.property(small, small, (glob, text) => {
        expect(compileGlob(glob)(text)).toBe(reference(glob, text));
        expect(compileGlob(glob, { anyChar: false })(text)).toBe(reference(glob, text, false));
      }),
      { numRuns: 3000 },
    );
  });

  it('on globs derived from the text, which mostly match', () => {
    fc.assert(
      fc.property(
        noStars.chain((text) => fc.tuple(fc.constant(text), globOf(text))),
        ([text, glob]) => {
          expect(compileGlob(glob)(text)).toBe(reference(glob, text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on any unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), (glob, text) => {
        expect(compileGlob(glob)(text)).toBe(reference(glob, text));
        expect(compileGlob(`*${glob}*`)(text)).toBe(reference(`*${glob}*`, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('on a star and ? at the edges of pieces, where head and tail could overlap', () => {
    for (const [glob, text, want] of [
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['?*?', '😀', false],
      ['?*?', '😀😀', true],
      ['*😀', '\ud83d😀', true],
      ['\ud83d*', '😀', false],
      ['*\ude00', '😀', false],
      ['', '', true],
      ['*', '', true],
      ['?', '', false],
    ] as const) {
      expect(compileGlob(glob)(text), `${glob} ${text}`).toBe(want);
      expect(reference(glob, text), `reference: ${glob} ${text}`).toBe(want);
    }
  });
});

/** Steps the matcher takes for `run()`. */
function stepsOf(run: () => void): number {
  const before = globSteps();
  run();
  return globSteps() - before;
}

describe('compileGlob does work linear in the text and glob', () => {
  const key = `host_cpu_core_utilization_ratio{cpu="1",instance="${'a'.repeat(300)}",mode="idle"}`;

  it('answers *****! and *a*a*a…b in one pass over the text', () => {
    const aaa = 'a'.repeat(10_000);
    for (const [glob, text] of [
      ['*****!', key],
      ['******!', aaa],
      [`*${'a*'.repeat(500)}b`, aaa],
      [`*${'?*'.repeat(500)}b`, aaa],
      [`*${'a'.repeat(2_000)}b${'a'.repeat(2_000)}*`, aaa],
      [`*${'a?'.repeat(16)}b*`, aaa],
    ] as const) {
      let matched = true;
      const steps = stepsOf(() => (matched = compileGlob(glob)(text)));
      expect(matched, glob.slice(0, 20)).toBe(false);
      // A few visits per text position and glob character, each at most a JS step; greedy-star
      // backtracking takes text × glob.
      expect(steps, glob.slice(0, 20)).toBeLessThanOrEqual(3 * JS_STEP * (text.length + glob.length));
    }
  });

  it('bounds a long piece with ? by the text times its 32-character words', () => {
    const text = 'a'.repeat(4_000);
    const glob = `*${'a?'.repeat(1_000)}b*`;
    const steps = stepsOf(() => expect(compileGlob(glob)(text)).toBe(false));
    // A JS step per word per text position, and the literal `a` looked for once before.
    expect(steps).toBeLessThanOrEqual(text.length * Math.ceil(2_001 / 32) * JS_STEP + text.length + glob.length);
  });

  it('matches 10,000 keys of 300 characters against 4096-character globs within a bounded budget', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => toSeriesKey('bench_metric_total', { i: String(i), pad: 'a'.repeat(250) }).slice(0, 300));
    const globs = [
      `*${'a*'.repeat(2_047)}`, // longer than any key: refused without reading it
      `*${'a'.repeat(140)}b${'a'.repeat(140)}*`,
      `*${'a?'.repeat(70)}b*`,
      `*${'*?'.repeat(140)}!*`,
    ].map((g) => g.padEnd(4_096, '*'));
    for (const glob of globs) {
      const matches = compileGlob(glob);
      const started = performance.now();
      let matched: string[] = [];
      const steps = stepsOf(() => (matched = keys.filter(matches)));
      expect(matched).toEqual([]);
      expect(steps, glob.slice(0, 30)).toBeLessThanOrEqual(keys.length * 300 * 10 * JS_STEP);
      // A generous ceiling: the greedy-star matcher this replaced took ~2.5 s for each of the middle two.
      expect(performance.now() - started).toBeLessThan(1_000);
    }
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

// Longer texts and globs than above, so pieces reach 32 code points (two Shift-And words) and 64
// units (Knuth–Morris–Pratt), with characters past the flat table (é, 中, 😀, a lone surrogate).
const WIDE = ['a', 'b', 'x', '0', '"', '=', 'é', '中', '😀', '\ud83d'];
const longText = fc.array(fc.constantFrom(...WIDE), { maxLength: 120 }).map((cs) => cs.join(''));
const longGlob = fc.oneof(
  fc.array(fc.constantFrom(...WIDE, '?', '?', '*'), { maxLength: 90 }).map((cs) => cs.join('')),
  longText.chain((text) => globOf(text)),
  // One long piece between stars: `?` among literals, or literals only.
  fc.tuple(fc.array(fc.constantFrom(...WIDE, '?'), { minLength: 30, maxLength: 80 }), fc.boolean()).map(([cs, any]) => `*${cs.map((c) => (any || c !== '?' ? c : 'a')).join('')}*`),
);

describe('compileGlob with its flat mask table and literal prefilter', () => {
  it('agrees with the reference on long pieces and characters past the table', () => {
    fc.assert(
      fc.property(longGlob, longText, (glob, text) => {
        expect(compileGlob(glob)(text)).toBe(reference(glob, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the reference on texts holding the glob literal but not a match', () => {
    // The prefilter finds its literal, so the bit-parallel pass decides.
    fc.assert(
      fc.property(longText, fc.integer({ min: 1, max: 40 }), fc.constantFrom('x', '中', '😀', 'ab'), (text, gap, literal) => {
        const glob = `*${literal}${'?'.repeat(gap)}b*`;
        const held = `${text}${literal}${text}`;
        expect(compileGlob(glob)(held)).toBe(reference(glob, held));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a key without the literal in a step a character, without the bit-parallel pass', () => {
    const key = `http_requests_total{instance="web-1",route="/api/items/0001",status="200"}`;
    for (const glob of ['*x?0*', '*?itemz?0001*', `*route="/apx/${'?'.repeat(40)}9*`, '*中?*']) {
      const steps = stepsOf(() => expect(compileGlob(glob)(key), glob).toBe(false));
      expect(steps, glob).toBeLessThanOrEqual(key.length);
    }
    // With the literal there, the pass runs: a JS step or more a character.
    const held = stepsOf(() => expect(compileGlob('*i?Z*')(key)).toBe(false));
    expect(held).toBeGreaterThan(key.length * JS_STEP);
  });

  it('matches characters outside the table by their code points, ? taking an emoji whole', () => {
    expect(compileGlob('*中?文*')('x中😀文y')).toBe(true);
    expect(compileGlob('*中?文*')('x中😀😀文y')).toBe(false);
    expect(compileGlob('*é?é*')('aéxéa')).toBe(true);
    expect(compileGlob('*\ud83d?*')('😀x')).toBe(false);
    expect(compileGlob('*\ud83d?*')('\ud83dxa')).toBe(true);
  });
});

describe('cost', () => {
  const costed = fc.tuple(fc.array(longGlob, { minLength: 1, maxLength: 4 }), fc.array(longText, { minLength: 1, maxLength: 5 }));

  it('bounds the steps a glob takes: at most cost × text length', () => {
    fc.assert(
      fc.property(longGlob, longText, (glob, text) => {
        const matches = compileGlob(glob);
        expect(stepsOf(() => matches(text))).toBeLessThanOrEqual(matches.cost * text.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('bounds the steps a filter takes over many keys: at most cost × their characters', () => {
    fc.assert(
      fc.property(costed, ([globs, keys]) => {
        const filter = compileSeriesFilter(globs);
        const chars = keys.reduce((n, k) => n + k.length, 0);
        expect(stepsOf(() => keys.forEach((k) => filter.matches(k)))).toBeLessThanOrEqual(filter.cost * chars);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts ? pieces by their words and long text pieces by Knuth–Morris–Pratt', () => {
    const cost = (glob: string) => compileSeriesFilter([glob]).cost;
    expect(cost('host_cpu_*')).toBe(1);
    expect(cost('http_requests_total{*route="/api*')).toBe(1);
    expect(cost('m{cpu="?"}')).toBe(1); // compared in place
    expect(cost('*x?0*')).toBe(1 + JS_STEP); // the literal, then one word
    expect(cost(`*${'a?'.repeat(20)}*`)).toBe(1 + 2 * JS_STEP); // 40 code points: two words
    expect(cost(`*${'a'.repeat(65)}*`)).toBe(2 * JS_STEP);
    expect(cost('*中?*')).toBe(1 + 2 * JS_STEP); // a word and one wide table entry
    expect(compileSeriesFilter(Array.from({ length: 64 }, (_, i) => `*x?${i}*`)).cost).toBe(64 * (1 + JS_STEP));
    expect(compileSeriesFilter(['*']).cost).toBe(0);
  });

  it('is reached: the literal found last, then a full bit-parallel pass', () => {
    const key = `${'a'.repeat(100)}x`;
    const filter = compileSeriesFilter(['*x?0*']);
    expect(stepsOf(() => expect(filter.matches(key)).toBe(false))).toBe(filter.cost * key.length);
  });

  it('stays an upper bound on the hostile review filters over long keys', () => {
    const key = `m{pad="${'x0'.repeat(1_000)}"}`;
    for (const globs of [
      Array.from({ length: 64 }, (_, i) => `*x?${i}*`),
      [`*${'?'.repeat(4_000)}*`],
      [`*${'x0'.repeat(40)}q*`],
      Array.from({ length: 64 }, (_, i) => `*${'x?'.repeat(31)}${i}*`),
    ]) {
      const filter = compileSeriesFilter(globs);
      expect(stepsOf(() => filter.matches(key))).toBeLessThanOrEqual(filter.cost * key.length);
    }
  });
});
