// The pieces of a glob between its stars, and the three ways one is matched: at a position, at
// the end of a text, and at its leftmost place in a range. See lib/series/glob.ts for the whole.

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

/** A `?` among a piece's code points. */
const ANY = -1;

/**
 * Code units below this have a row of their own in a piece's mask table, read with one index: the
 * characters keys are made of. A row per BMP unit would be 256 KB per 32 code points of every piece
 * (64 globs, a stream's filter held for hours); the rest are looked up among the piece's own.
 */
const TABLE_UNITS = 256;

/**
 * A piece matched code point by code point (`?` is any one), found by Shift-And: bit `i` of the
 * state says "the first i+1 code points of the piece end here", 32 per word.
 */
export interface PointPiece {
  kind: 'points';
  points: Int32Array;
  min: number;
  /** 32-bit words of state: ⌈code points / 32⌉. */
  words: number;
  /** Whether some code point is not `?`: a piece of `?` only is matched in place, without a search. */
  literal: boolean;
  /** `table[u * words + w]`: word `w` of the positions code unit `u` (below TABLE_UNITS) may fill. */
  table: Uint32Array;
  /** The piece's other code points, sorted, and their masks: `wideMasks[j * words + w]` for `wide[j]`. */
  wide: Int32Array;
  wideMasks: Uint32Array;
  /** Table entries a binary search of `wide` may visit: ⌈log2(wide.length + 1)⌉. */
  wideDepth: number;
  /** The positions of `?`: the mask of any code point not in the piece. */
  any: Uint32Array;
  /** Scratch state, reset on every search (matching one text is synchronous). */
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
  const table = new Uint32Array(TABLE_UNITS * words);
  for (let u = 0; u < TABLE_UNITS; u++) table.set(any, u * words);
  const wide = Int32Array.from(new Set(points.filter((p) => p >= TABLE_UNITS))).sort();
  const wideMasks = new Uint32Array(wide.length * words);
  for (let j = 0; j < wide.length; j++) wideMasks.set(any, j * words);
  points.forEach((p, i) => {
    if (p === ANY) return;
    const row = p < TABLE_UNITS ? table.subarray(p * words) : wideMasks.subarray(wideRow(wide, p) * words);
    row[i >>> 5]! |= 1 << (i & 31);
  });
  let min = 0;
  for (const p of points) min += p > 0xffff ? 2 : 1;
  const literal = points.some((p) => p !== ANY);
  return { kind: 'points', points, min, words, literal, table, wide, wideMasks, wideDepth: Math.ceil(Math.log2(wide.length + 1)), any, state: new Uint32Array(words) };
}

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

/** The code point that ends at `end` (a surrogate pair, or one unit). */
function pointBefore(text: string, end: number): number {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/**
 * At most how many steps finding `piece` in a range takes per UTF-16 unit of the range: one for
 * indexOf and for `?…?`, two JS steps for Knuth–Morris–Pratt (each fall-back undoes a move
 * forward), and for Shift-And a JS step per word of state and per wide table entry a code point
 * may visit.
 */
export function stepsPerUnit(piece: TextPiece | PointPiece): number {
  if (piece.kind === 'text') return piece.fail ? 2 * JS_STEP : 1;
  return piece.literal ? (piece.words + piece.wideDepth) * JS_STEP : 1;
}

/** Whether finding `piece` takes the bit-parallel pass, which a literal of its glob can spare. */
export const searchedByShiftAnd = (piece: TextPiece | PointPiece): boolean => piece.kind === 'points' && piece.literal;

/**
 * Whether `literal` (at most INDEX_OF_MAX units, so indexOf is safe) occurs within
 * text[from, limit); counts the positions indexOf passed, at most the rest of the text.
 */
export function occursWithin(literal: string, text: string, from: number, limit: number): boolean {
  const at = text.indexOf(literal, from);
  meter.steps += (at === -1 ? text.length : Math.min(at + literal.length, text.length)) - from;
  return at !== -1 && at + literal.length <= limit;
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
      meter.steps += (visited + i + 1 - from) * JS_STEP;
      return i + 1;
    }
  }
  meter.steps += (visited + Math.max(0, limit - from)) * JS_STEP;
  return -1;
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
 * Both searches read the text by code units: one below TABLE_UNITS is its own table row; any other
 * is joined with a following low surrogate into its code point (as codePointAt does) and looked up
 * among the piece's wide code points, wideDepth entries at most.
 */

/** findPoints for a piece of up to 32 code points: the state is one number. */
function findInWord(piece: PointPiece, text: string, from: number, limit: number): number {
  const { table, wide, wideMasks } = piece;
  const any = piece.any[0] as number;
  const lastBit = 1 << (piece.points.length - 1);
  let state = 0;
  let scanned = 0;
  let looked = 0;
  for (let i = from; i < limit; ) {
    let c = text.charCodeAt(i++);
    let mask: number;
    if (c < TABLE_UNITS) mask = table[c] as number;
    else if (wide.length === 0) {
      mask = any;
      if (c >= 0xd800 && c <= 0xdbff && i < text.length && isLow(text.charCodeAt(i))) i++;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i < text.length && isLow(text.charCodeAt(i))) c = (c - 0xd800) * 0x400 + (text.charCodeAt(i++) - 0xdc00) + 0x10000;
      const row = wideRow(wide, c);
      mask = row === -1 ? any : (wideMasks[row] as number);
      looked++;
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
  const { table, wide, wideMasks, any, state, words } = piece;
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
    if (c < TABLE_UNITS) {
      masks = table;
      base = c * words;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i < text.length && isLow(text.charCodeAt(i))) c = (c - 0xd800) * 0x400 + (text.charCodeAt(i++) - 0xdc00) + 0x10000;
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

const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
