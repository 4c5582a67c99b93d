// The pieces of a glob holding `?` (or a lone surrogate), matched code point by code point: in
// place at the start or end of a text, or at their leftmost place in a range by Shift-And. See
// lib/series/glob.ts for the whole.
import { JS_STEP, meter } from './piece';

/** A `?` among a piece's code points. */
const ANY = -1;

/**
 * Code units below this may have a row of their own in a piece's mask table, read with one
 * index: the characters keys are made of. The table spans only the piece's own units (`x?0`:
 * from `0` to `x`); a row per BMP unit would be 256 KB per 32 code points of every piece, held
 * as long as a stream's filter. Other code points are looked up among the piece's own.
 */
const TABLE_UNITS = 256;

/**
 * A piece matched code point by code point (`?` is any one), found by Shift-And: bit `i` of the
 * state says "the first i+1 code points of the piece end here", 32 per word.
 */
export interface PointPiece {
  kind: 'points';
  points: Int32Array;
  /** Fewest UTF-16 units it matches. */
  min: number;
  /** 32-bit words of state: ⌈code points / 32⌉. */
  words: number;
  /** Whether some code point is not `?`: a piece of `?` only is matched in place, without a search. */
  literal: boolean;
  /** `table[(u - low) * words + w]`: word `w` of the positions code unit `u` may fill, for `u` in [low, low + span). */
  table: Uint32Array;
  low: number;
  span: number;
  /** The piece's code points from TABLE_UNITS up, sorted, and their masks: `wideMasks[j * words + w]` for `wide[j]`. */
  wide: Int32Array;
  wideMasks: Uint32Array;
  /** Entries a binary search of `wide` may visit: ⌈log2(wide.length + 1)⌉. */
  wideDepth: number;
  /** The positions of `?`: the mask of any code point not in the piece. */
  any: Uint32Array;
  /** Scratch state, reset on every search (matching one text is synchronous). */
  state: Uint32Array;
}

export function toPointPiece(text: string, anyChar: boolean): PointPiece {
  const points = Int32Array.from(text, (c) => (anyChar && c === '?' ? ANY : (c.codePointAt(0) as number)));
  const words = Math.max(1, Math.ceil(points.length / 32));
  const any = new Uint32Array(words);
  points.forEach((p, i) => {
    if (p === ANY) any[i >>> 5]! |= 1 << (i & 31);
  });
  const units = points.filter((p) => p >= 0 && p < TABLE_UNITS);
  const low = units.length > 0 ? Math.min(...units) : 0;
  const span = units.length > 0 ? Math.max(...units) - low + 1 : 0;
  const table = new Uint32Array(span * words);
  for (let d = 0; d < span; d++) table.set(any, d * words);
  const wide = Int32Array.from(new Set(points.filter((p) => p >= TABLE_UNITS))).sort();
  const wideMasks = new Uint32Array(wide.length * words);
  for (let j = 0; j < wide.length; j++) wideMasks.set(any, j * words);
  points.forEach((p, i) => {
    if (p === ANY) return;
    const row = p < TABLE_UNITS ? table.subarray((p - low) * words) : wideMasks.subarray(wideRow(wide, p) * words);
    row[i >>> 5]! |= 1 << (i & 31);
  });
  let min = 0;
  for (const p of points) min += p > 0xffff ? 2 : 1;
  const literal = points.some((p) => p !== ANY);
  const wideDepth = Math.ceil(Math.log2(wide.length + 1));
  return { kind: 'points', points, min, words, literal, table, low, span, wide, wideMasks, wideDepth, any, state: new Uint32Array(words) };
}

/**
 * At most how many steps finding `piece` in a range takes per UTF-16 unit of the range: one for
 * `?…?` (matched in place), and for Shift-And a JS step per word of state and per wide entry a
 * code point may visit.
 */
export const pointStepsPerUnit = (piece: PointPiece): number => (piece.literal ? (piece.words + piece.wideDepth) * JS_STEP : 1);

/** The index of `cp` in the sorted `wide`, or -1. */
function wideRow(wide: Int32Array, cp: number): number {
  let lo = 0;
  let hi = wide.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = wide[mid] as number;
    if (p === cp) return mid;
    if (p < cp) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const width = (cp: number): number => (cp > 0xffff ? 2 : 1);
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The code point that ends at `end` (a surrogate pair, or one unit). */
function pointBefore(text: string, end: number): number {
  const low = text.charCodeAt(end - 1);
  if (isLow(low) && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (isHigh(high)) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
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

/** Where the leftmost `piece` in text[from, limit) ends, or -1: one pass over the code points. */
export function findPoints(piece: PointPiece, text: string, from: number, limit: number): number {
  const n = piece.points.length;
  if (n === 0) return from;
  if (!piece.literal) return anyAt(n, text, from, limit);
  return piece.words === 1 ? findInWord(piece, text, from, limit) : findInWords(piece, text, from, limit);
}

/** Where `n` code points from `from` end, within `limit`, or -1: the leftmost place of `?…?` is right there. */
function anyAt(n: number, text: string, from: number, limit: number): number {
  let at = from;
  for (let i = 0; i < n; i++) {
    if (at >= limit) {
      meter.steps += i;
      return -1;
    }
    at += width(text.codePointAt(at) as number);
  }
  meter.steps += n;
  return at <= limit ? at : -1;
}

/*
 * Both searches read the text by code units: one in the table's span is its row; any other below
 * TABLE_UNITS is not in the piece; from TABLE_UNITS up, a high surrogate is joined with a low one
 * after it into its code point (as codePointAt does), looked up among the piece's wide ones.
 */

/** findPoints for a piece of up to 32 code points: the state is one number. */
function findInWord(piece: PointPiece, text: string, from: number, limit: number): number {
  const { table, low, span, wide, wideMasks } = piece;
  const any = piece.any[0] as number;
  const lastBit = 1 << (piece.points.length - 1);
  let state = 0;
  let scanned = 0;
  let looked = 0;
  for (let i = from; i < limit; ) {
    let c = text.charCodeAt(i++);
    let mask = any;
    if (c - low >= 0 && c - low < span) mask = table[c - low] as number;
    else if (c >= TABLE_UNITS) {
      if (isHigh(c) && i < text.length && isLow(text.charCodeAt(i))) c = (c - 0xd800) * 0x400 + (text.charCodeAt(i++) - 0xdc00) + 0x10000;
      if (wide.length > 0) {
        const row = wideRow(wide, c);
        if (row !== -1) mask = wideMasks[row] as number;
        looked++;
      }
    }
    scanned++;
    state = ((state << 1) | 1) & mask;
    if ((state & lastBit) !== 0) {
      meter.steps += (scanned + looked * piece.wideDepth) * JS_STEP;
      return i;
    }
  }
  meter.steps += (scanned + looked * piece.wideDepth) * JS_STEP;
  return -1;
}

/** findPoints for a longer piece: the state is `words` numbers, shifted with a carry. */
function findInWords(piece: PointPiece, text: string, from: number, limit: number): number {
  const { table, low, span, wide, wideMasks, any, state, words } = piece;
  const last = piece.points.length - 1;
  const lastWord = last >>> 5;
  const lastBit = 1 << (last & 31);
  state.fill(0);
  let scanned = 0;
  let looked = 0;
  for (let i = from; i < limit; ) {
    let c = text.charCodeAt(i++);
    let masks = any;
    let base = 0;
    if (c - low >= 0 && c - low < span) {
      masks = table;
      base = (c - low) * words;
    } else if (c >= TABLE_UNITS) {
      if (isHigh(c) && i < text.length && isLow(text.charCodeAt(i))) c = (c - 0xd800) * 0x400 + (text.charCodeAt(i++) - 0xdc00) + 0x10000;
      if (wide.length > 0) {
        const row = wideRow(wide, c);
        if (row !== -1) {
          masks = wideMasks;
          base = row * words;
        }
        looked++;
      }
    }
    scanned++;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const s = state[w] as number;
      state[w] = ((s << 1) | carry) & (masks[base + w] as number);
      carry = s >>> 31;
    }
    if ((state[lastWord] as number) & lastBit) {
      meter.steps += (scanned * words + looked * piece.wideDepth) * JS_STEP;
      return i;
    }
  }
  meter.steps += (scanned * words + looked * piece.wideDepth) * JS_STEP;
  return -1;
}
