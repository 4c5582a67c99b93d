// Test support, imported by the parsers' property tests only: fast-check generators of points and
// hostile inputs, and a probe of how much text RegExps are run over.
import fc from 'fast-check';
import type { PointLimits } from '@/lib/schema';
import { escapeLabelValue } from '@/lib/series';

/** The limits lib/env.ts defaults to. */
export const DEFAULT_LIMITS: PointLimits = {
  maxPoints: 10_000,
  maxLabels: 16,
  maxLabelValueLength: 1024,
  maxNameLength: 256,
  maxLabelNameLength: 128,
  maxSeriesKeyLength: 4096,
  maxHelpLength: 1024,
  maxFutureMs: 30_000,
};

/** Longest message a refusal may carry: bounded whatever the input. */
export const MESSAGE_MAX = 2048;

const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'];
const DIGITS = [...'0123456789'];
/** `first` then up to `max` of `rest`: the shape of a Prometheus name. */
const word = (first: string[], rest: string[], max: number) =>
  fc.tuple(fc.constantFrom(...first), fc.string({ unit: fc.constantFrom(...rest), maxLength: max })).map(([a, b]) => a + b);

export const metricName = word([...LETTERS, ':'], [...LETTERS, ...DIGITS, ':'], 24);
// A letter first: `__` names are reserved, and checked by their own tests.
export const labelName = word(LETTERS.slice(0, 52), [...LETTERS, ...DIGITS], 15);
/** Any text, with what the formats escape (`\`, `"`, newline) and what keys are made of (`{},=`) made common. */
export const labelValue = fc
  .array(fc.oneof(fc.constantFrom('\\', '"', '\n', '{', '}', ',', '=', ' ', '\\n', 'é', '😀'), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 8 })
  .map((parts) => parts.join(''));
export const labels = fc.dictionary(labelName, labelValue, { maxKeys: 6, noNullPrototype: true });
/** A finite value; -0 is read back as 0 by JSON and the text format alike. */
export const finiteValue = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));

/** A valid point with a timestamp within the last hour before `now`, or none. */
export function point(now: number) {
  return fc.record({
    name: metricName,
    labels,
    value: finiteValue,
    timestamp: fc.option(fc.integer({ min: now - 3_000_000, max: now }), { nil: undefined }),
  });
}
export type GeneratedPoint = { name: string; labels: Record<string, string>; value: number; timestamp: number | undefined };

/** The Prometheus text line of a point. */
export function textLine(p: GeneratedPoint): string {
  const names = Object.keys(p.labels);
  const set = names.length > 0 ? `{${names.map((k) => `${k}="${escapeLabelValue(p.labels[k] ?? '')}"`).join(',')}}` : '';
  return `${p.name}${set} ${String(p.value)}${p.timestamp !== undefined ? ` ${p.timestamp}` : ''}`;
}

const MiB = 1024 * 1024;

/**
 * Inputs that made (or could make) a parser work hard: runs of digits a backtracking number
 * grammar chokes on, overlong names, escapes by the thousand, many long labels. Each is a
 * function of the text around it, so a format can wrap it.
 */
export const hostileTexts: Array<[string, string]> = [
  ['100 KB of digits then x as a value', `m ${'1'.repeat(100_000)}x\n`],
  ['1 MiB of digits then x as a value', `m ${'1'.repeat(MiB - 8)}x\n`],
  ['1 MiB of digits then x as a timestamp', `m 1 ${'1'.repeat(MiB - 8)}x\n`],
  ['digits, a point, digits, e, then x', `m ${'1'.repeat(50_000)}.${'2'.repeat(50_000)}e${'3'.repeat(50_000)}x\n`],
  ['a 1,000,000-character metric name', `${'a'.repeat(1_000_000)} 1\n`],
  ['a 1,000,000-character HELP name', `# HELP ${'a'.repeat(1_000_000)} help\n`],
  ['a 500,000-character label name', `m{${'l'.repeat(500_000)}="v"} 1\n`],
  ['200,000 escaped backslashes in a label value', `m{a="${'\\\\'.repeat(200_000)}"} 1\n`],
  ['a label value of 300,000 unpaired backslashes', `m{a="${'\\'.repeat(300_000)}} 1\n`],
  ['a HELP text of escapes', `# HELP m ${'\\n'.repeat(200_000)}\nm 1\n`],
  ['50 label sets of 16 labels with 300-character values', Array.from({ length: 50 }, (_, i) => `m{${Array.from({ length: 16 }, (_, j) => `l${j}="${String(i).padEnd(300, 'v')}"`).join(',')}} ${i}`).join('\n')],
  ['100,000 labels on one line', `m{${Array.from({ length: 100_000 }, (_, i) => `a${i}=""`).join(',')}} 1\n`],
  ['100,000 blanks between tokens', `m${' '.repeat(100_000)}1${'\t'.repeat(100_000)}2\n`],
  ['a line of 1 MiB of braces', `m${'{'.repeat(MiB - 2)}\n`],
  ['# followed by 1 MiB of blanks and HELP', `#${' '.repeat(MiB - 20)}HELP m x\n`],
  ['20,000 samples', 'm 1\n'.repeat(20_000)],
];

// zod's max-length check measures an overlong string in code points, probing it for a high
// surrogate with this one-character class: linear, and the length check itself.
const ZOD_SURROGATE_PROBE = String.raw`[\uD800-\uDBFF]`;

/**
 * Runs `fn` and reports the longest string any RegExp ran over meanwhile (`exec` and `test`,
 * which `replace`, `split` and `match` go through too): the work bound of "no RegExp over
 * unbounded input", checked without timing anything.
 */
export async function regexpReach<T>(fn: () => T | Promise<T>): Promise<{ result: T; longest: number }> {
  const { exec, test } = RegExp.prototype;
  let longest = 0;
  const seen = (re: RegExp, input: unknown) => {
    if (typeof input === 'string' && re.source !== ZOD_SURROGATE_PROBE) longest = Math.max(longest, input.length);
  };
  RegExp.prototype.exec = function (this: RegExp, input: string) {
    seen(this, input);
    return exec.call(this, input);
  };
  RegExp.prototype.test = function (this: RegExp, input: string) {
    seen(this, input);
    return test.call(this, input);
  };
  try {
    const result = await fn();
    return { result, longest };
  } finally {
    RegExp.prototype.exec = exec;
    RegExp.prototype.test = test;
  }
}
