// The pieces of a glob between its stars, and the three ways one is matched: at a position, at
// the end of a text, and at its leftmost place in a range. See lib/series/glob.ts for the whole.

/** Text positions and table entries visited, for tests that bound the work. */
export const meter = { steps: 0 };

/**
 * Pieces up to this long are found with indexOf: native and fast, and however it searches, at most
 * this many comparisons per text position. Longer ones by Knuth–Morris–Pratt: V8's indexOf takes
 * O(text × piece) on pieces such as `a…aba…a` (16 s for 10,000 keys of 4 KB and a 2,001-unit piece).
 */
const INDEX_OF_MAX = 64;

/** A piece without wildcards, found by its UTF-16 units. */
export interface TextPiece {
  kind: 'text';
  text: string;
  /** Fewest UTF-16 units it matches. */
  min: number;
  /** For Knuth–Morris–Pratt, longer pieces only: `fail[i]` is the longest proper border of `text[0..i]`. */
  fail: Int32Array | null;
}

/** A `?` among a piece's code points. */
const ANY = -1;

/**
 * A piece matched code point by code point (`?` is any one), found by Shift-And: bit `i` of the
 * state says "the first i+1 code points of the piece end here", 32 per word.
 */
export interface PointPiece {
  kind: 'points';
  points: Int32Array;
  min: number;
  /** Per code point of the piece, the positions it (or a `?`) may fill. */
  masks: Map<number, Uint32Array>;
  /** The positions of `?`: the mask of any code point not in the piece. */
  any: Uint32Array;
  /** Scratch state, reset on every search (matching is synchronous). */
  state: Uint32Array;
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

export function toPointPiece(text: string, anyChar: boolean): PointPiece {
  const points = Int32Array.from(text, (c) => (anyChar && c === '?' ? ANY : (c.codePointAt(0) as number)));
  const words = Math.max(1, Math.ceil(points.length / 32));
  const any = new Uint32Array(words);
  points.forEach((p, i) => {
    if (p === ANY) any[i >>> 5]! |= 1 << (i & 31);
  });
  const masks = new Map<number, Uint32Array>();
  points.forEach((p, i) => {
    if (p === ANY) return;
    let mask = masks.get(p);
    if (!mask) masks.set(p, (mask = any.slice()));
    mask[i >>> 5]! |= 1 << (i & 31);
  });
  let min = 0;
  for (const p of points) min += p > 0xffff ? 2 : 1;
  return { kind: 'points', points, min, masks, any, state: new Uint32Array(words) };
}

const width = (cp: number): number => (cp > 0xffff ? 2 : 1);

/** The code point that ends at `end` (a surrogate pair, or one unit). */
function pointBefore(text: string, end: number): number {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** Where `piece` ends when it starts at `at`, or -1. */
export function pointsAt(piece: PointPiece, text: string, at: number): number {
  for (const want of piece.points) {
    if (at >= text.length) return -1;
    const cp = text.codePointAt(at) as number;
    if (want !== ANY && want !== cp) return -1;
    at += width(cp);
  }
  return at;
}

/** Where `piece` starts when it ends `text`, no earlier than `floor`, or -1. */
export function pointsBefore(piece: PointPiece, text: string, floor: number): number {
  let end = text.length;
  for (let i = piece.points.length - 1; i >= 0; i--) {
    if (end <= floor) return -1;
    const cp = pointBefore(text, end);
    const want = piece.points[i] as number;
    if (want !== ANY && want !== cp) return -1;
    end -= width(cp);
  }
  return end;
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
      meter.steps += visited + i + 1 - from;
      return i + 1;
    }
  }
  meter.steps += visited + Math.max(0, limit - from);
  return -1;
}

/** Where the leftmost `piece` in text[from, limit) ends, or -1: one pass over the code points. */
export function findPoints(piece: PointPiece, text: string, from: number, limit: number): number {
  const { masks, any, state } = piece;
  const words = state.length;
  const last = piece.points.length - 1;
  if (last < 0) return from;
  // Only `?`: the leftmost place is right here.
  if (masks.size === 0) {
    const end = pointsAt(piece, text, from);
    meter.steps += piece.points.length;
    return end !== -1 && end <= limit ? end : -1;
  }
  const lastWord = last >>> 5;
  const lastBit = 1 << (last & 31);
  state.fill(0);
  let scanned = 0;
  for (let i = from; i < limit; ) {
    const cp = text.codePointAt(i) as number;
    i += width(cp);
    scanned++;
    const mask = masks.get(cp) ?? any;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const s = state[w] as number;
      state[w] = ((s << 1) | carry) & (mask[w] as number);
      carry = s >>> 31;
    }
    if ((state[lastWord] as number) & lastBit) {
      meter.steps += scanned * words;
      return i;
    }
  }
  meter.steps += scanned * words;
  return -1;
}
