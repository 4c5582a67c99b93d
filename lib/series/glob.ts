import type { SeriesKey } from './key';
import { INDEX_OF_MAX, findText, meter, occursWithin, textStepsPerUnit, toTextPiece, type TextPiece } from './piece';
import { findPoints, pointStepsPerUnit, pointsAt, pointsBefore, toPointPiece, type PointPiece } from './points';

/*
 * Globs are matched without a RegExp and without backtracking. A glob is cut at its stars (runs
 * of `*` collapsed) into pieces: the first must start the text, the last must end it, and each
 * one between is found at its leftmost place after the one before. Leftmost is always right: a
 * piece has a fixed length, so the earliest place leaves the most text for the rest. No choice is
 * ever revisited: the searches move forward through the text and never back over it.
 *
 * Cost, for a text of n units: the first and last pieces are compared in place (their length, at
 * most n), and the pieces between are searched for in the ranges between them, which do not
 * overlap: at most n × (the most steps per unit of any piece between, see stepsPerUnit):
 * - pieces without `?`: indexOf for pieces of up to 64 units (at most 64 comparisons per text
 *   position, whatever the engine does), Knuth–Morris–Pratt for longer ones (indexOf is
 *   O(n × piece) in V8 on pieces such as `a…aba…a`): a step per unit, or two JS steps (JS_STEP);
 * - a piece holding `?`: bit-parallel Shift-And over code points (lib/series/points.ts), a JS step
 *   per 32 of its code points per unit: linear for pieces of up to 32 characters, at most ~n²/32
 *   for longer ones.
 *   Before it, the glob's longest literal (up to 64 units) is looked for with indexOf, one step
 *   per unit more: a key without it is refused without the pass.
 * So a glob costs at most `cost × n` steps (GlobMatcher.cost), and a filter the sum of its globs'.
 * `*****!` or `*a*a*a…b` cost one pass over the text, where a backtracking RegExp (or the
 * greedy-star matcher this replaced, O(n × m)) could stall the server.
 */

type Piece = TextPiece | PointPiece;

/** At most how many steps finding `piece` in a range takes per unit of the range (see textStepsPerUnit, pointStepsPerUnit). */
const stepsPerUnit = (piece: Piece): number => (piece.kind === 'text' ? textStepsPerUnit(piece) : pointStepsPerUnit(piece));

/** A compiled glob, tested against many texts. */
export interface GlobMatcher {
  (text: string): boolean;
  /** At most how many steps (globSteps) it takes per UTF-16 unit of a text: the note at the top of this file. */
  readonly cost: number;
}

/** Collapses runs of `*`: `a**b` and `a*b` match the same texts. */
function collapseStars(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) if (glob[i] !== '*' || glob[i - 1] !== '*') out += glob[i];
  return out;
}

/** Matching steps taken so far (see `meter` in lib/series/piece.ts): tests read it to bound the work. */
export function globSteps(): number {
  return meter.steps;
}

function toPiece(text: string, anyChar: boolean): Piece {
  return (anyChar && text.includes('?')) || hasLoneSurrogate(text) ? toPointPiece(text, anyChar) : toTextPiece(text);
}

// A piece with a lone surrogate is matched code point by code point: found by its UTF-16 units,
// it could start or end inside a surrogate pair of the text.
function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Where `piece` ends when it starts `text`, or -1. */
function startsAt(piece: Piece, text: string): number {
  meter.steps += piece.min;
  // lastIndexOf from 0 compares at that one place, natively: V8's startsWith took 2-3 times as
  // long for heads that match (`http_requests_total{` of 64 globs over 10,000 keys: 150 ms, 50 ms).
  if (piece.kind === 'text') return text.lastIndexOf(piece.text, 0) === 0 ? piece.text.length : -1;
  return pointsAt(piece, text, 0);
}

/** Where `piece` starts when it ends `text`, no earlier than `floor`, or -1. */
function endsAt(piece: Piece, text: string, floor: number): number {
  meter.steps += piece.min;
  if (piece.kind === 'text') {
    const start = text.length - piece.text.length;
    return start >= floor && text.endsWith(piece.text) ? start : -1;
  }
  return pointsBefore(piece, text, floor);
}

/** Where the leftmost `piece` within text[from, limit) ends, or -1. */
function find(piece: Piece, text: string, from: number, limit: number): number {
  return piece.kind === 'text' ? findText(piece, text, from, limit) : findPoints(piece, text, from, limit);
}

/**
 * The longest literal run (at most INDEX_OF_MAX units) of the pieces between the first and last:
 * a text the glob matches holds it between them. Empty when no piece there is searched by Shift-And,
 * the only search it spares (the others are indexOf already).
 */
function prefilterOf(parts: readonly string[], pieces: readonly Piece[], anyChar: boolean): string {
  if (!pieces.some((p) => p.kind === 'points' && p.literal)) return '';
  const runs = parts.flatMap((p) => (anyChar ? p.split('?') : [p]));
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  return longest.slice(0, INDEX_OF_MAX);
}

/**
 * Compiles a glob over whole texts: `*` matches any run of characters (none included); with
 * `anyChar`, `?` matches exactly one character (an emoji too), else it is itself. Every other
 * character matches itself. Linear in the text and glob; see the cost note at the top of this file.
 */
export function compileGlob(glob: string, { anyChar = true }: { anyChar?: boolean } = {}): GlobMatcher {
  const parts = collapseStars(glob).split('*');
  const pieces = parts.map((p) => toPiece(p, anyChar));
  const head = pieces[0] as Piece;
  const min = pieces.reduce((n, p) => n + p.min, 0);
  if (pieces.length === 1) return Object.assign((text: string) => text.length >= min && startsAt(head, text) === text.length, { cost: 1 });
  const tail = pieces.at(-1) as Piece;
  const middle = pieces.slice(1, -1);
  const literal = prefilterOf(parts.slice(1, -1), middle, anyChar);
  const cost = Math.max(1, ...middle.map(stepsPerUnit)) + (literal ? 1 : 0);
  // `*` at either end (an empty piece there) is common, and costs nothing to match.
  const headed = head.min > 0;
  const tailed = tail.min > 0;
  const matches = (text: string): boolean => {
    if (text.length < min) return false;
    let at = headed ? startsAt(head, text) : 0;
    if (at < 0) return false;
    const limit = tailed ? endsAt(tail, text, at) : text.length;
    if (limit < 0) return false;
    if (literal && !occursWithin(literal, text, at, limit)) return false;
    for (let i = 0; i < middle.length; i++) {
      at = find(middle[i] as Piece, text, at, limit);
      if (at < 0) return false;
    }
    return true;
  };
  return Object.assign(matches, { cost });
}

/** A compiled `series=` filter: comma-separated globs over series keys (`*` any run, `?` one char). */
export interface SeriesFilter {
  /** Canonical form, equal for equal filters, so streams with one filter share encoded bytes. */
  readonly id: string;
  /**
   * At most how many matching steps (globSteps) the filter spends per character (UTF-16 unit) of
   * a key: a request or a flush that matches it over keys of `n` characters in all does at most
   * `cost × n` steps. The sum of its globs' GlobMatcher.cost.
   */
  readonly cost: number;
  matches(key: SeriesKey): boolean;
}

const MATCH_ALL: SeriesFilter = { id: '*', cost: 0, matches: () => true };

/** Compiles a list of globs; an empty list (or one containing `*`) matches every series. */
export function compileSeriesFilter(globs: readonly string[]): SeriesFilter {
  const unique = [...new Set(globs.map((g) => collapseStars(g.trim())).filter((g) => g.length > 0))].sort();
  if (unique.length === 0 || unique.includes('*')) return MATCH_ALL;
  const compiled = unique.map((g) => compileGlob(g));
  const cost = compiled.reduce((sum, matches) => sum + matches.cost, 0);
  // JSON, not a comma join: a glob may itself contain a comma.
  return { id: JSON.stringify(unique), cost, matches: (key) => compiled.some((matches) => matches(key)) };
}
