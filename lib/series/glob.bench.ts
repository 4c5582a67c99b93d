// What a matching step costs here, for QUERY_MAX_WORK (lib/env.ts): typical and worst filters over
// 10,000 keys, each named with its cost bound (filter.cost × key characters, what the refusal
// checks); its mean time over that bound is the time a step.
//
//   npx vitest bench --run lib/series/glob.bench.ts
//
// The default is chosen so that 64 realistic globs over 10,000 keys of 100 characters pass, and
// the slowest filter per bound step, at the limit, stays near 150 ms of CPU.
import { bench, describe } from 'vitest';
import { compileSeriesFilter } from './glob';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const pad = (i: number, n = 4) => String(i).padStart(n, '0');
/** ~100-character keys, each holding an `x` (as real keys often do: `example`, `max`, `index`). */
const typical = Array.from({ length: 10_000 }, (_, i) => `http_requests_total{instance="web-${pad(i % 40, 2)}.example.io",method="${METHODS[i % 4]}",route="/api/items/${pad(i)}",status="${200 + (i % 5)}"}`);
/** Keys a producer could write to defeat V8's indexOf: a run of one character. */
const runs = Array.from({ length: 10_000 }, (_, i) => `m{a="${'a'.repeat(90)}${pad(i)}"}`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const SCENARIOS: Array<[name: string, keys: string[], globs: string[]]> = [
  ['realistic: 64 routes', typical, range(64).map((i) => `http_requests_total{*route="/api/items/${pad(i * 7)}"*`)],
  ['realistic: 64 statuses', typical, range(64).map((i) => `*status="${200 + (i % 5)}${i}"*`)],
  ['text: frequent first char', typical, range(64).map((i) => `*t${i}*`)],
  ['review: *x?0*…*x?63*', typical, range(64).map((i) => `*x?${i}*`)],
  ['shift-and: full passes, one word', typical, range(20).map((i) => `*in${'?'.repeat(1 + i)}Q*`)],
  ['shift-and: full passes, two words', typical, range(20).map((i) => `*in${'?'.repeat(33 + i)}Q*`)],
  ['kmp: 65+ character pieces', typical, range(64).map((i) => `*${'x'.repeat(65 + i)}b*`)],
  ['runs: *aab* (V8 linear search)', runs, range(64).map((i) => `*a${'a'.repeat(i % 3)}b${i}*`)],
  ['runs: *a…aq* (V8 Boyer-Moore)', runs, range(64).map((i) => `*${'a'.repeat(60)}q${i}*`)],
];

describe('matching steps', () => {
  for (const [name, keys, globs] of SCENARIOS) {
    const filter = compileSeriesFilter(globs);
    const bound = filter.cost * keys.reduce((n, k) => n + k.length, 0);
    bench(`${name} (${(bound / 1e6).toFixed(1)}M steps bound)`, () => void keys.forEach((key) => filter.matches(key)), { iterations: 5, time: 0, warmupIterations: 1 });
  }
});
