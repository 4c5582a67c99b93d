// The pieces of a glob between its stars without `?` (lib/series/points.ts has those with), the
// step meter, and how a text piece is found at its leftmost place in a range. See
// lib/series/glob.ts for the whole.

/**
 * Matching steps taken, for tests that bound the work and for QUERY_MAX_WORK: a step is about one
 * character compared by native code (indexOf, startsWith). A step of a search written here in
 * JavaScript (a Shift-And word, a Knuth–Morris–Pratt move, a table entry) counts JS_STEP: measured
 * on V8 (Node 20, 2 cores), one takes 5–8 ns where indexOf over a key takes 1–2 ns a position.
 */
export const meter = { steps: 0 };

/** What one step of a search in JavaScript counts, in native steps: see `meter`. */
export const JS_STEP = 4;

/**
 * Pieces up to this long are found with indexOf: native and fast, and however it searches, at most
 * this many comparisons per text position. Longer ones by Knuth–Morris–Pratt: V8's indexOf takes
 * O(text × piece) on pieces such as `a…aba…a` (16 s for 10,000 keys of 4 KB and a 2,001-unit piece).
 */
export const INDEX_OF_MAX = 64;

/** A piece without wildcards, found by its UTF-16 units. */
export interface TextPiece {
  kind: 'text';
  text: string;
  /** Fewest UTF-16 units it matches. */
  min: number;
  /** For Knuth–Morris–Pratt, longer pieces only: `fail[i]` is the longest proper border of `text[0..i]`. */
  fail: Int32Array | null;
}

export function toTextPiece(text: string): TextPiece {
  if (text.length <= INDEX_OF_MAX) return { kind: 'text', text, min: text.length, fail: null };
  const fail = new Int32Array(text.length);
  for (let i = 1, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = fail[k - 1] as number;
    if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
    fail[i] = k;
  }
  return { kind: 'text', text, min: text.length, fail };
}

/**
 * At most how many steps finding `piece` in a range takes per UTF-16 unit of the range: one for
 * indexOf, two JS steps for Knuth–Morris–Pratt (each fall-back undoes a move forward).
 */
export const textStepsPerUnit = (piece: TextPiece): number => (piece.fail ? 2 * JS_STEP : 1);

/**
 * Whether `literal` (at most INDEX_OF_MAX units, so indexOf is safe) occurs within
 * text[from, limit); counts the positions indexOf passed, at most the rest of the text.
 */
export function occursWithin(literal: string, text: string, from: number, limit: number): boolean {
  const at = text.indexOf(literal, from);
  meter.steps += (at === -1 ? text.length : Math.min(at + literal.length, text.length)) - from;
  return at !== -1 && at + literal.length <= limit;
}

/** Where the leftmost `piece` in text[from, limit) ends, or -1: one pass, never back over the text. */
export function findText(piece: TextPiece, text: string, from: number, limit: number): number {
  const { text: p, fail } = piece;
  const m = p.length;
  if (fail === null) {
    const at = text.indexOf(p, from);
    const end = at === -1 || at + m > limit ? -1 : at + m;
    meter.steps += (end === -1 ? limit : end) - from;
    return end;
  }
  let k = 0;
  let visited = 0;
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    // Each fall-back undoes an earlier step forward: at most (limit - from) of them in all.
    while (k > 0 && p.charCodeAt(k) !== c) {
      k = fail[k - 1] as number;
      visited++;
    }
    if (p.charCodeAt(k) === c) k++;
    if (k === m) {
      meter.steps += (visited + i + 1 - from) * JS_STEP;
      return i + 1;
    }
  }
  meter.steps += (visited + Math.max(0, limit - from)) * JS_STEP;
  return -1;
}
