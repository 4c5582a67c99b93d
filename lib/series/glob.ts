import type { SeriesKey } from './key';

/** A compiled `series=` filter: comma-separated globs over series keys (`*` any run, `?` one char). */
export interface SeriesFilter {
  /** Canonical form, equal for equal filters, so streams with one filter share encoded bytes. */
  readonly id: string;
  matches(key: SeriesKey): boolean;
}

const MATCH_ALL: SeriesFilter = { id: '*', matches: () => true };

/** UTF-16 length of the character at `i`: `?` matches one character, astral ones included. */
const charLength = (text: string, i: number): number => ((text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);

/**
 * Whether `text` matches `glob` (characters, `*` any run, `?` one character), in time linear in
 * their lengths times the stars: a backtracking RegExp would let `?series=******!` stall the server.
 */
export function globMatch(glob: readonly string[], text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = glob[g];
    if (c === '?') {
      g++;
      t += charLength(text, t);
    } else if (c !== undefined && c !== '*' && text.startsWith(c, t)) {
      g++;
      t += c.length;
    } else if (c === '*') {
      star = g++;
      mark = t;
    } else if (star !== -1) {
      g = star + 1;
      mark += charLength(text, mark);
      t = mark;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/** Compiles a list of globs; an empty list (or one containing `*`) matches every series. */
export function compileSeriesFilter(globs: readonly string[]): SeriesFilter {
  const unique = [...new Set(globs.map((g) => g.trim()).filter((g) => g.length > 0))].sort();
  if (unique.length === 0 || unique.includes('*')) return MATCH_ALL;
  // Characters, not UTF-16 units: `?` matches one emoji.
  const compiled = unique.map((g) => [...g.replace(/\*+/g, '*')]);
  // JSON, not a comma join: a glob may itself contain a comma.
  return { id: JSON.stringify(unique), matches: (key) => compiled.some((g) => globMatch(g, key)) };
}
