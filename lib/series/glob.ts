import type { SeriesKey } from './key';

/** A compiled `series=` filter: comma-separated globs over series keys (`*` any run, `?` one char). */
export interface SeriesFilter {
  /** Canonical form, equal for equal filters, so streams with one filter share encoded bytes. */
  readonly id: string;
  matches(key: SeriesKey): boolean;
}

const MATCH_ALL: SeriesFilter = { id: '*', matches: () => true };

function globToSource(glob: string): string {
  let out = '';
  for (const c of glob) {
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** Compiles a list of globs; an empty list (or one containing `*`) matches every series. */
export function compileSeriesFilter(globs: readonly string[]): SeriesFilter {
  const unique = [...new Set(globs.map((g) => g.trim()).filter((g) => g.length > 0))].sort();
  if (unique.length === 0 || unique.includes('*')) return MATCH_ALL;
  const re = new RegExp(`^(?:${unique.map(globToSource).join('|')})$`, 'su');
  // JSON, not a comma join: a glob may itself contain a comma.
  return { id: JSON.stringify(unique), matches: (key) => re.test(key) };
}
