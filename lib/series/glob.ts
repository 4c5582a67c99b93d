import type { SeriesKey } from './key';

/** A compiled `series=` filter: comma-separated globs over series keys (`*` any run, `?` one char). */
export interface SeriesFilter {
  /** Canonical form, equal for equal filters, so streams with one filter share encoded bytes. */
  readonly id: string;
  matches(key: SeriesKey): boolean;
}

const MATCH_ALL: SeriesFilter = { id: '*', matches: () => true };

/**
 * Whether `text` matches `glob` (`*` any run, `?` one character), in time linear in their lengths
 * times the stars: a backtracking RegExp would let `?series=******!` stall the server.
 */
export function globMatch(glob: readonly string[], text: readonly string[]): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === text[t]))) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      mark = t;
    } else if (star !== -1) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

/** Compiles a list of globs; an empty list (or one containing `*`) matches every series. */
export function compileSeriesFilter(globs: readonly string[]): SeriesFilter {
  const unique = [...new Set(globs.map((g) => g.trim()).filter((g) => g.length > 0))].sort();
  if (unique.length === 0 || unique.includes('*')) return MATCH_ALL;
  // Characters, not UTF-16 units: `?` matches one emoji.
  const compiled = unique.map((g) => [...g.replace(/\*+/g, '*')]);
  // JSON, not a comma join: a glob may itself contain a comma.
  return { id: JSON.stringify(unique), matches: (key) => compiled.some((g) => globMatch(g, [...key])) };
}
