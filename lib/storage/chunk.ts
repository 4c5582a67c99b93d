/*
 * Time-series chunks for Pulseboard's on-disk store, after Facebook's Gorilla paper (Pelkonen et
 * al., VLDB 2015): times as delta-of-delta, each value column either as scaled decimal integers
 * or as the XOR of consecutive float64 bit patterns, whichever is smaller for that chunk.
 *
 * Layout (bits are most significant first):
 *   u8 version | u8 columns | varint count
 *   when count > 0: signed varint first time | varint time-section bytes |
 *                   per column: u8 encoding, varint section bytes
 *   the time section, then each column's section, each starting on a byte boundary.
 *
 * An encoding byte is 0 for XOR, else 1 + 2k + (order - 1): values times 10^k as integers, coded
 * as deltas (order 1, best for gauges) or deltas of deltas (order 2, best for counters). A column
 * is decimal when, for the smallest k in 0..6, every value v is i / 10^k for the integer
 * i = round(v * 10^k), |i| < 2^51, and no value is -0; the decoder computes i / 10^k.
 *
 * Integer sections (the times; decimal columns) start with a code table: 3 bits holding the
 * number of classes minus one, 3 bits R, then 6 bits per class holding its width. Each code is a
 * class prefix (c ones and a zero; the last class its ones alone) and the residual in two's
 * complement of the class's width; a class of width 0 is zeros only, and its codes carry an R-bit
 * run length (1 to 2^R zeros). The writer picks the widths and R per section from the residuals
 * it saw (an exact dynamic program), so an hour of regular intervals or of a constant costs a few
 * dozen bytes and other residuals little more than their own width. Every code costs at least 1
 * bit and stands for at most 128 points, which bounds a chunk's point count, and so a decoder's
 * work and memory, by its length.
 *
 * XOR sections hold 3 bits R and the first value's 64 bits, then per point: 0 and an R-bit run
 * length (the same bits for 1 to 2^R points), 10 and the meaningful bits within the previous
 * window, or 11, 5 bits of leading zeros, 6 bits of meaningful length (0 meaning 64) and the
 * meaningful bits.
 */

const VERSION = 1;
const MAX_COLUMNS = 255;
/** Classes in an integer code table (3 bits). */
const MAX_CLASSES = 8;
/** Bits a class takes in a code table (its width); the table's head is 6 more. */
const TABLE_BITS = 6;
/** Widest residual: a difference of safe integers fits 54 bits of two's complement. */
const MAX_WIDTH = 54;
const TWO32 = 4294967296;
const SCALES = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] as const;
const MAX_K = SCALES.length - 1;
/** Scaled integers stay below 2^51 so their deltas of deltas (< 2^53) are exact. */
const SCALED_LIMIT = 2 ** 51;
const ENCODING_XOR = 0;
/** No XOR window yet: no leading-zero count reaches it, so the first change opens one. */
const NO_WINDOW = 65;
/** Run-length field widths: runs of up to 2^7 zero residuals per code. */
const MAX_RUN_BITS = 7;
/** Points a code can stand for, which bounds the points a section of some length can hold. */
const MAX_RUN = 2 ** MAX_RUN_BITS;
/** Chunks are meant to hold hours, not weeks: the cap bounds what any input makes a decoder allocate. */
const MAX_POINTS = 2 ** 20;
/** Appends after which byteLength plans the code tables afresh rather than pricing with old ones. */
const REPLAN_POINTS = 32;
/** Zero words after the input: one residual or XOR value reads at most 77 + 32 bits past a check. */
const PAD_WORDS = 5;
/** Keeps bit positions below 2^32. */
const MAX_INPUT = 2 ** 28;
/** Words of scratch space kept between calls; larger buffers are dropped after use. */
const KEEP_WORDS = 1 << 16;

// Float64 bit patterns are read and written as two 32-bit halves through a Uint32Array view.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** Thrown by decodeChunk for any input that is not a chunk ChunkWriter could have written. */
export class ChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkError';
  }
}

/** A decoded chunk: `values[c][i]` is column c's value at `times[i]`. */
export interface DecodedChunk {
  columns: number;
  times: Float64Array;
  /** One per column, each as long as `times`. */
  values: Float64Array[];
}

/** Bits of the narrowest two's complement holding the safe integer r; 0 for 0. */
function widthOf(r: number): number {
  if (r === 0) return 0;
  if (r >= -2147483648 && r <= 2147483647) return 33 - Math.clz32(r < 0 ? ~r : r);
  const hi = Math.floor(r / TWO32);
  return 65 - Math.clz32(hi < 0 ? ~hi : hi);
}

/** Trailing zero bits of a non-zero int32. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Whether v is exactly some integer over 10^k (scale), small enough for the decimal coding. The
 * integer is v * 10^k rounded, not v * 10^k itself: 0.29 * 100 is 28.999999999999996, yet 29 / 100
 * is 0.29, and the decoder divides.
 */
function fitsScale(v: number, scale: number): boolean {
  const x = Math.round(v * scale);
  return x < SCALED_LIMIT && x > -SCALED_LIMIT && x / scale === v && (v !== 0 || 1 / v > 0);
}

/** An integer code table and the bits its section takes (table included). */
interface Code {
  classes: number;
  /** Bits of a zero-run length (0: each zero its own code). */
  runBits: number;
  /** The classes' widths, in the first `classes` entries. */
  readonly widths: Int32Array;
  bits: number;
}

function newCode(): Code {
  return { classes: 0, runBits: 0, widths: new Int32Array(MAX_CLASSES), bits: 0 };
}

const NO_CODE: Readonly<Code> = newCode();

// Templates for the counters: copying a packed array is cheaper than filling a new one.
const RUN_ZEROS: readonly number[] = new Array<number>(MAX_RUN_BITS + 1).fill(0);
const WIDTH_ZEROS: readonly number[] = new Array<number>(MAX_WIDTH + 1).fill(0);

/** Runs of repeats (zero residuals, unchanged XOR values) as the writer has seen them. */
class Runs {
  private closed = 0;
  private open = 0;
  /** Codes the closed runs take with b-bit run lengths, per b. */
  private readonly codes: number[] = RUN_ZEROS.slice();

  add(): void {
    this.open++;
  }

  /** Ends the open run, if any. */
  close(): void {
    const open = this.open;
    if (open === 0) return;
    const codes = this.codes;
    for (let b = 1; b <= MAX_RUN_BITS; b++) codes[b] = (codes[b] as number) + ((open - 1) >> b) + 1;
    this.closed += open;
    this.open = 0;
  }

  /** Repeats so far. */
  get total(): number {
    return this.closed + this.open;
  }

  /**
   * The cheapest run-length width (1 to MAX_RUN_BITS) for codes each costing `prefix` bits and the
   * length, left in bestRunBits and bestBits (no object: this runs for every section planned). The
   * open run counts as if closed: the writer closes it at the end.
   */
  best(prefix: number): void {
    let bits = Infinity;
    let runBits = 0;
    for (let b = 1; b <= MAX_RUN_BITS; b++) {
      const c = this.codesWith(b) * (prefix + b);
      if (c < bits) {
        bits = c;
        runBits = b;
      }
    }
    bestRunBits = runBits;
    bestBits = bits;
  }

  /** Codes all runs so far take with b-bit run lengths (b >= 1). */
  codesWith(b: number): number {
    const open = this.open;
    return (this.codes[b] as number) + (open > 0 ? ((open - 1) >> b) + 1 : 0);
  }

  reset(): void {
    if (this.closed > 0) this.codes.fill(0);
    this.closed = 0;
    this.open = 0;
  }
}

/** Runs.best's answer. */
let bestRunBits = 0;
let bestBits = 0;

/** Residuals of one integer section as the writer has seen them: widths and zero runs. */
class Residuals {
  /** Non-zero residuals per width; zeros are in `runs`. */
  private readonly hist: number[] = WIDTH_ZEROS.slice();
  /** The widest non-zero residual's width so far; 0 when there is none. */
  private top = 0;
  private readonly runs = new Runs();
  /** The table plan() made last: one object, rewritten by each call. */
  private readonly code = newCode();

  add(r: number): void {
    if (r === 0) {
      this.runs.add();
      return;
    }
    const hist = this.hist;
    const w = widthOf(r);
    hist[w] = (hist[w] as number) + 1;
    if (w > this.top) this.top = w;
    this.runs.close();
  }

  reset(): void {
    if (this.top > 0) this.hist.fill(0, 1, this.top + 1);
    this.top = 0;
    this.runs.reset();
  }

  /** Bits the residuals so far take with `code`, table included; Infinity if it cannot code them. */
  price(code: Code): number {
    const hist = this.hist;
    const widths = code.widths;
    const last = code.classes - 1;
    const top = this.top;
    if (last < 0) return this.runs.total === 0 && top === 0 ? 0 : Infinity;
    let bits = 6 + TABLE_BITS * code.classes;
    for (let w = 1, c = 0; w <= top; w++) {
      const k = hist[w] as number;
      if (k === 0) continue;
      while (c <= last && (widths[c] as number) < w) c++;
      if (c > last) return Infinity;
      bits += k * ((c < last ? c + 1 : c) + (widths[c] as number));
    }
    const zeros = this.runs.total;
    if (zeros > 0) {
      const prefix = last > 0 ? 1 : 0;
      bits += code.runBits > 0 ? this.runs.codesWith(code.runBits) * (prefix + code.runBits) : zeros * (prefix + (widths[0] as number));
    }
    return bits;
  }

  /**
   * The cheapest code table: either the zeros share the classes' scheme like any width, or they
   * get class 0 to themselves with the best run-length width and the other widths the rest.
   */
  plan(): Code {
    const code = this.code;
    const widths = code.widths;
    const hist = this.hist;
    const top = this.top;
    const zeros = this.runs.total;
    hist[0] = zeros;
    const all = partition(hist, top, 0, 0);
    hist[0] = 0;
    code.runBits = 0;
    code.classes = all >= 0 ? planClasses : 0;
    code.bits = all >= 0 ? 6 + all : 0;
    for (let c = 0; c < code.classes; c++) widths[c] = PLAN_WIDTHS[c] as number;
    if (zeros === 0) return code;
    // Zeros in a class of their own at 1 bit each is among the tables just tried, so runs can only
    // win by coding the zeros in fewer bits than there are zeros.
    const runs = this.runs;
    if (top > 0) {
      runs.best(1);
      if (bestBits >= zeros) return code;
    }
    const rest = top > 0 ? partition(hist, top, 1, 1) : -1;
    runs.best(rest >= 0 ? 1 : 0);
    const bits = 6 + TABLE_BITS + bestBits + (rest >= 0 ? rest : 0);
    if (bits < code.bits) {
      code.classes = rest >= 0 ? 1 + planClasses : 1;
      code.runBits = bestRunBits;
      code.bits = bits;
      widths[0] = 0;
      for (let c = 1; c < code.classes; c++) widths[c] = PLAN_WIDTHS[c - 1] as number;
    }
    return code;
  }
}

// Scratch space for partition(): it runs once per section per plan, and allocation would dominate.
const USED = new Int32Array(MAX_WIDTH + 1);
const CUM = new Float64Array(MAX_WIDTH + 2);
const COST = new Float64Array(MAX_CLASSES * (MAX_WIDTH + 1));
const FROM = new Int32Array(MAX_CLASSES * (MAX_WIDTH + 1));
/** partition()'s classes and their widths, valid until the next call. */
const PLAN_WIDTHS = new Int32Array(MAX_CLASSES);
let planClasses = 0;

/**
 * The cheapest split of the residual widths from `minWidth` to `top` (counted in `hist`) into
 * classes, numbered from `offset`: runs of used widths, each class coded at its widest, prefixes
 * growing by one bit a class, and 6 bits of table a class (dynamic programming over the used
 * widths). Returns the bits and leaves the classes in planClasses and PLAN_WIDTHS; -1 when no
 * width is used.
 */
function partition(hist: number[], top: number, minWidth: number, offset: number): number {
  const used = USED;
  const cum = CUM;
  const cost = COST;
  const from = FROM;
  let m = 0;
  let total = 0;
  for (let w = minWidth; w <= top; w++) {
    const c = hist[w] as number;
    if (c > 0) {
      used[m++] = w;
      total += c;
      cum[m] = total;
    }
  }
  if (m === 0) return -1;
  cum[0] = 0;
  const widest = used[m - 1] as number;
  const lastWidth = Math.max(widest, offset === 0 ? 1 : 0);
  // One class, the last: its prefix is `offset` bits, so with none it needs a width of 1 or more.
  let best = TABLE_BITS + (offset + lastWidth) * total;
  if (m === 1) {
    planClasses = 1;
    PLAN_WIDTHS[0] = lastWidth;
    return best;
  }
  let bestClasses = 1;
  let bestSplit = -1;
  const most = Math.min(MAX_CLASSES - offset, m);
  // cost[g * m + b]: cheapest coding of used[0..b] by classes 0..g, none last, class g ending at b.
  for (let b = 0; b < m; b++) cost[b] = TABLE_BITS + (offset + 1 + (used[b] as number)) * (cum[b + 1] as number);
  for (let g = 1; g < most - 1; g++) {
    for (let b = g; b < m; b++) {
      const each = offset + g + 1 + (used[b] as number);
      const upTo = cum[b + 1] as number;
      let min = Infinity;
      let arg = -1;
      for (let a = g - 1; a < b; a++) {
        const c = (cost[(g - 1) * m + a] as number) + TABLE_BITS + each * (upTo - (cum[a + 1] as number));
        if (c < min) {
          min = c;
          arg = a;
        }
      }
      cost[g * m + b] = min;
      from[g * m + b] = arg;
    }
  }
  for (let classes = 2; classes <= most; classes++) {
    const g = classes - 2;
    const each = offset + classes - 1 + widest;
    for (let a = g; a < m - 1; a++) {
      const c = (cost[g * m + a] as number) + TABLE_BITS + each * (total - (cum[a + 1] as number));
      if (c < best) {
        best = c;
        bestClasses = classes;
        bestSplit = a;
      }
    }
  }
  const widths = PLAN_WIDTHS;
  widths[bestClasses - 1] = lastWidth;
  for (let g = bestClasses - 2, b = bestSplit; g >= 0; g--) {
    widths[g] = used[b] as number;
    b = from[g * m + b] as number;
  }
  planClasses = bestClasses;
  return best;
}

/**
 * Appends bits most significant first into 32-bit words. One instance (WRITER) serves every chunk
 * in turn: its words are kept between chunks unless large.
 */
class BitWriter {
  private words = new Int32Array(256);
  private full = 0;
  private cur = 0;
  private free = 32;

  /** Empties the writer, with room for `bits`. */
  start(bits: number): this {
    const need = (bits >>> 5) + 1;
    if (need > this.words.length) this.words = new Int32Array(need);
    else if (need <= KEEP_WORDS && this.words.length > KEEP_WORDS) this.words = new Int32Array(KEEP_WORDS);
    this.full = 0;
    this.cur = 0;
    this.free = 32;
    return this;
  }

  get bitLength(): number {
    return this.full * 32 + 32 - this.free;
  }

  /** Writes the low n bits of v, n in 0..32. */
  write(v: number, n: number): void {
    if (n === 0) return;
    const bits = n === 32 ? v : v & ((1 << n) - 1);
    if (n < this.free) {
      this.free -= n;
      this.cur |= bits << this.free;
    } else {
      const spill = n - this.free;
      this.words[this.full++] = this.cur | (bits >>> spill);
      this.free = 32 - spill;
      this.cur = spill === 0 ? 0 : bits << this.free;
    }
  }

  alignToByte(): void {
    const rest = this.bitLength & 7;
    if (rest !== 0) this.write(0, 8 - rest);
  }

  copyTo(out: Uint8Array, offset: number): void {
    if (this.free < 32) this.words[this.full] = this.cur;
    const n = this.bitLength >>> 3;
    const words = this.words;
    for (let i = 0; i < n; i++) out[offset + i] = (words[i >>> 2] as number) >>> (24 - ((i & 3) << 3));
  }

  /** Writes a code table. */
  table(code: Code): void {
    this.write(((code.classes - 1) << 3) | code.runBits, 6);
    for (let c = 0; c < code.classes; c++) this.write(code.widths[c] as number, 6);
  }
}

/**
 * A code table laid out for writing: per residual width its class, per class prefix and width.
 * One instance serves every section in turn (see CODER).
 */
class Coder {
  // Per residual width: its class's prefix shifted over the class width, that width's mask, and
  // the code's length (prefix and width), so the common put() is one lookup and one write.
  private readonly head = new Int32Array(MAX_WIDTH + 1);
  private readonly mask = new Int32Array(MAX_WIDTH + 1);
  private readonly length = new Int32Array(MAX_WIDTH + 1);
  private readonly prefix = new Int32Array(MAX_WIDTH + 1);
  private readonly prefixBits = new Int32Array(MAX_WIDTH + 1);
  private readonly width = new Int32Array(MAX_WIDTH + 1);
  private runBits = 0;
  /** Zeros per run code; 0 when zeros are coded one by one. */
  private maxRun = 0;
  private zeros = 0;
  private out: BitWriter | null = null;

  /** Writes the table of `code` to `out` and readies put() for its residuals. */
  start(out: BitWriter, code: Code): this {
    out.table(code);
    this.out = out;
    this.runBits = code.runBits;
    this.maxRun = code.runBits > 0 ? 1 << code.runBits : 0;
    this.zeros = 0;
    const last = code.classes - 1;
    for (let c = 0, w = 0; c <= last; c++) {
      const prefix = c < last ? ((1 << c) - 1) << 1 : (1 << c) - 1;
      const prefixBits = c < last ? c + 1 : c;
      const width = code.widths[c] as number;
      for (; w <= width; w++) {
        this.prefix[w] = prefix;
        this.prefixBits[w] = prefixBits;
        this.width[w] = width;
        this.length[w] = prefixBits + width;
        // Codes over 32 bits take the slow path in put(), which does not read these two.
        this.head[w] = prefixBits + width <= 32 ? prefix << width : 0;
        this.mask[w] = width >= 32 ? -1 : (1 << width) - 1;
      }
    }
    return this;
  }

  /** Writes the safe integer r, which the table covers. */
  put(r: number): void {
    if (r === 0 && this.maxRun > 0) {
      if (++this.zeros === this.maxRun) this.flush();
      return;
    }
    if (this.zeros > 0) this.flush();
    const w = widthOf(r);
    const length = this.length[w] as number;
    if (length <= 32) (this.out as BitWriter).write((this.head[w] as number) | (r & (this.mask[w] as number)), length);
    else this.putLong(r, w);
  }

  /** Writes the pending zero run, if any; call after the last put. */
  end(): void {
    if (this.zeros > 0) this.flush();
  }

  private putLong(r: number, w: number): void {
    const out = this.out as BitWriter;
    const width = this.width[w] as number;
    out.write(this.prefix[w] as number, this.prefixBits[w] as number);
    if (width <= 32) out.write(r, width);
    else {
      const hi = Math.floor(r / TWO32);
      out.write(hi, width - 32);
      out.write(r - hi * TWO32, 32);
    }
  }

  /** Class 0 (prefix all zeros) and the run length less one. */
  private flush(): void {
    (this.out as BitWriter).write(this.zeros - 1, (this.prefixBits[0] as number) + this.runBits);
    this.zeros = 0;
  }
}

const CODER = new Coder();

/** Reads bits from big-endian words padded with PAD_WORDS zero words. */
class BitReader {
  pos = 0;
  end = 0;
  /** Points the last residual read stands for: 1, or a zero run's length. */
  run = 1;
  private classes = 0;
  private runBits = 0;
  private readonly widths = new Int32Array(MAX_CLASSES);

  constructor(private readonly words: Int32Array) {}

  /** The 32 bits from pos on. */
  peek(): number {
    const w = this.pos >>> 5;
    const o = this.pos & 31;
    const words = this.words;
    return o === 0 ? (words[w] as number) : ((words[w] as number) << o) | ((words[w + 1] as number) >>> (32 - o));
  }

  /** Throws unless the reader is still within its section. */
  within(what: string): void {
    if (this.pos > this.end) throw new ChunkError(`chunk truncated: ${what} runs past its section`);
  }

  /** Reads a code table, checking it is one ChunkWriter writes (every code at least 1 bit). */
  table(what: string): void {
    if (this.pos + 6 > this.end) throw new ChunkError(`chunk truncated: no code table for ${what}`);
    const head = this.peek() >>> 26;
    this.pos += 6;
    const classes = (head >>> 3) + 1;
    const runBits = head & 7;
    if (this.pos + 6 * classes > this.end) throw new ChunkError(`chunk truncated: code table for ${what}`);
    for (let c = 0; c < classes; c++) {
      const w = this.peek() >>> 26;
      this.pos += 6;
      if (w > MAX_WIDTH || (c > 0 && w <= (this.widths[c - 1] as number))) {
        throw new ChunkError(`chunk malformed: bad code table for ${what}`);
      }
      this.widths[c] = w;
    }
    if ((runBits > 0 && this.widths[0] !== 0) || (classes === 1 && runBits === 0 && this.widths[0] === 0)) {
      throw new ChunkError(`chunk malformed: bad code table for ${what}`);
    }
    this.classes = classes;
    this.runBits = runBits;
  }

  /** Reads one residual with the last table read; `run` says how many points it stands for. */
  residual(): number {
    const x = this.peek();
    const last = this.classes - 1;
    let c = Math.clz32(~x);
    let p = c + 1;
    if (c >= last) {
      c = last;
      p = last;
    }
    const w = this.widths[c] as number;
    if (w === 0) {
      const b = this.runBits;
      this.run = b === 0 ? 1 : ((x << p) >>> (32 - b)) + 1;
      this.pos += p + b;
      return 0;
    }
    this.run = 1;
    if (p + w <= 32) {
      this.pos += p + w;
      return (x << p) >> (32 - w);
    }
    this.pos += p;
    if (w <= 32) {
      const y = this.peek() >> (32 - w);
      this.pos += w;
      return y;
    }
    const hi = this.peek() >> (64 - w);
    this.pos += w - 32;
    const lo = this.peek() >>> 0;
    this.pos += 32;
    return hi * TWO32 + lo;
  }
}

/** What the writer has learned about one column from the values analysed so far. */
class ColumnStats {
  // XOR: the bits it takes but for repeats, the repeats, the previous bit pattern and window.
  xorBits = 0;
  readonly same = new Runs();
  hi = 0;
  lo = 0;
  lead = NO_WINDOW;
  trail = 0;
  // Decimal: whether every value fits 10^k, the smallest such k, the previous scaled value and
  // delta, and the order-1 and order-2 residuals at that k.
  decimal = true;
  k = 0;
  s = 0;
  delta = 0;
  readonly order1 = new Residuals();
  readonly order2 = new Residuals();

  reset(): void {
    this.xorBits = 0;
    this.same.reset();
    this.hi = 0;
    this.lo = 0;
    this.lead = NO_WINDOW;
    this.trail = 0;
    this.decimal = true;
    this.k = 0;
    this.s = 0;
    this.delta = 0;
    this.order1.reset();
    this.order2.reset();
  }
}

interface ColumnPlan {
  encoding: number;
  /** The code table written, for a decimal column. */
  code: Readonly<Code>;
  /** The run-length width, for an XOR column. */
  runBits: number;
  bits: number;
  /** The decimal tables planned, chosen or not, for byteLength to price later points with. */
  order1: Readonly<Code>;
  order2: Readonly<Code>;
}

/** Header bytes but for the columns': version, columns, count, first time, time-section bytes. */
const HEADER_BYTES = 1 + 1 + 3 + 8 + 8;
/** Header bytes per column: encoding, section bytes. */
const COLUMN_HEADER_BYTES = 1 + 8;

/**
 * A chunk's sections as planned, and its header. Each Analysis keeps two and rewrites them at
 * every plan (one for exact plans, one for estimates), so planning allocates nothing.
 */
class Plan {
  count = 0;
  time: Readonly<Code> = NO_CODE;
  timeBits = 0;
  readonly columns: ColumnPlan[] = [];
  readonly header: Uint8Array;
  headerLength = 0;
  total = 0;

  constructor(cols: number) {
    for (let c = 0; c < cols; c++) this.columns.push({ encoding: 0, code: NO_CODE, runBits: 0, bits: 0, order1: NO_CODE, order2: NO_CODE });
    this.header = new Uint8Array(HEADER_BYTES + COLUMN_HEADER_BYTES * cols);
  }
}

/** Writes the varint of v at `at`; returns the offset after it. */
function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 128) {
    out[at++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

/** Sign in the first byte's low bit, then the magnitude: no intermediate beyond 2^53. */
function putSignedVarint(out: Uint8Array, at: number, v: number): number {
  const negative = v < 0;
  let m = negative ? -v : v;
  let b = ((m % 64) << 1) | (negative ? 1 : 0);
  m = Math.floor(m / 64);
  while (m > 0) {
    out[at++] = b | 128;
    b = m % 128;
    m = Math.floor(m / 128);
  }
  out[at++] = b;
  return at;
}

// A float64's bit pattern, as two 32-bit halves, through one shared 8-byte buffer.
const FLOAT = new Float64Array(1);
const FLOAT_BITS = new Uint32Array(FLOAT.buffer);

/** Points as the encoder reads them: times, and one array of values per column. */
type Times = ArrayLike<number>;
type Values = readonly ArrayLike<number>[];

/**
 * The statistics behind a chunk's plan, brought up to date incrementally with analyse(). A writer
 * asked for byteLength keeps one of its own; everything else shares one per column count (see
 * analysisFor), reset before each use: encoding is synchronous, so nothing else uses it meanwhile.
 */
class Analysis {
  /** Points analysed so far. */
  analysed = 0;
  private readonly timeResiduals = new Residuals();
  private timeDelta = 0;
  private readonly stats: ColumnStats[] = [];
  private exact: Plan | null = null;
  private estimated: Plan | null = null;

  constructor(private readonly cols: number) {
    for (let c = 0; c < cols; c++) this.stats.push(new ColumnStats());
  }

  reset(): void {
    this.analysed = 0;
    this.timeDelta = 0;
    this.timeResiduals.reset();
    for (let c = 0; c < this.cols; c++) (this.stats[c] as ColumnStats).reset();
  }

  /** Brings the statistics up to date with points analysed..to-1. */
  analyse(times: Times, columns: Values, to: number): void {
    const from = this.analysed;
    if (from === to) return;
    const residuals = this.timeResiduals;
    let prev = this.timeDelta;
    for (let i = from > 1 ? from : 1; i < to; i++) {
      const delta = (times[i] as number) - (times[i - 1] as number);
      residuals.add(delta - prev);
      prev = delta;
    }
    this.timeDelta = prev;
    for (let c = 0; c < this.cols; c++) {
      const st = this.stats[c] as ColumnStats;
      const col = columns[c] as ArrayLike<number>;
      analyseXor(st, col, from, to);
      for (let i = from; st.decimal && i < to; ) {
        i = analyseDecimal(st, col, i, to);
        if (i < to) rescale(st, col, i);
      }
    }
    this.analysed = to;
  }

  /**
   * Plans the sections of the n points analysed, the first at time t0: with fresh code tables
   * (from null), or pricing the points with those of `reuse`, which gives null when they cannot
   * code some residual.
   */
  plan(t0: number, n: number, reuse: Plan | null): Plan | null {
    const plan = reuse ? (this.estimated ??= new Plan(this.cols)) : (this.exact ??= new Plan(this.cols));
    let time: Readonly<Code> = NO_CODE;
    let timeBits = 0;
    if (n > 1) {
      time = reuse ? reuse.time : this.timeResiduals.plan();
      timeBits = reuse ? this.timeResiduals.price(time) : time.bits;
      if (timeBits === Infinity) return null;
    }
    const header = plan.header;
    header[0] = VERSION;
    header[1] = this.cols;
    let at = putVarint(header, 2, n);
    let total = 0;
    if (n > 0) {
      at = putSignedVarint(header, at, t0);
      at = putVarint(header, at, Math.ceil(timeBits / 8));
      total += Math.ceil(timeBits / 8);
      for (let c = 0; c < this.cols; c++) {
        const st = this.stats[c] as ColumnStats;
        const old = reuse?.columns[c];
        // XOR: 3 bits of run-length width, then repeats alone (1 bit) or in runs.
        const same = st.same;
        const repeats = same.total;
        let runBits = 0;
        let bits = 3 + st.xorBits + repeats;
        if (repeats > 0) {
          same.best(1);
          if (bestBits < repeats) {
            runBits = bestRunBits;
            bits = 3 + st.xorBits + bestBits;
          }
        }
        let encoding = ENCODING_XOR;
        let code: Readonly<Code> = NO_CODE;
        let order1: Readonly<Code> = NO_CODE;
        let order2: Readonly<Code> = NO_CODE;
        if (st.decimal) {
          order2 = old ? old.order2 : st.order2.plan();
          order1 = old ? old.order1 : st.order1.plan();
          const bits2 = old ? st.order2.price(order2) : order2.bits;
          const bits1 = old ? st.order1.price(order1) : order1.bits;
          if (bits1 === Infinity || bits2 === Infinity) return null;
          if (bits2 <= bits) {
            encoding = 2 + 2 * st.k;
            code = order2;
            bits = bits2;
          }
          if (bits1 < bits) {
            encoding = 1 + 2 * st.k;
            code = order1;
            bits = bits1;
          }
        }
        const col = plan.columns[c] as ColumnPlan;
        col.encoding = encoding;
        col.code = code;
        col.runBits = runBits;
        col.bits = bits;
        col.order1 = order1;
        col.order2 = order2;
        header[at++] = encoding;
        at = putVarint(header, at, Math.ceil(bits / 8));
        total += Math.ceil(bits / 8);
      }
    }
    plan.count = n;
    plan.time = time;
    plan.timeBits = timeBits;
    plan.headerLength = at;
    plan.total = total + at;
    return plan;
  }
}

/** The shared analyses, by column count. */
const ANALYSES: (Analysis | undefined)[] = [];

/** A fresh analysis of `cols` columns, shared: valid until the next call. */
function analysisFor(cols: number): Analysis {
  let a = ANALYSES[cols];
  if (a === undefined) ANALYSES[cols] = a = new Analysis(cols);
  else a.reset();
  return a;
}

function analyseXor(st: ColumnStats, col: ArrayLike<number>, from: number, to: number): void {
  const float = FLOAT;
  const bits = FLOAT_BITS;
  let xorBits = st.xorBits;
  const same = st.same;
  let ph = st.hi;
  let pl = st.lo;
  let lead = st.lead;
  let trail = st.trail;
  for (let i = from; i < to; i++) {
    float[0] = col[i] as number;
    const hi = (bits[HI] as number) | 0;
    const lo = (bits[LO] as number) | 0;
    if (i === 0) xorBits = 64;
    else {
      const xh = hi ^ ph;
      const xl = lo ^ pl;
      if ((xh | xl) === 0) same.add();
      else {
        same.close();
        const l = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
        const t = xl !== 0 ? ctz(xl) : 32 + ctz(xh);
        if (l >= lead && t >= trail) xorBits += 66 - lead - trail;
        else {
          lead = l > 31 ? 31 : l;
          trail = t;
          xorBits += 77 - lead - trail;
        }
      }
    }
    ph = hi;
    pl = lo;
  }
  st.xorBits = xorBits;
  st.hi = ph;
  st.lo = pl;
  st.lead = lead;
  st.trail = trail;
}

/** Counts residuals of points from..to-1 at the column's k; returns the first that does not fit. */
function analyseDecimal(st: ColumnStats, col: ArrayLike<number>, from: number, to: number): number {
  const scale = SCALES[st.k] as number;
  const o1 = st.order1;
  const o2 = st.order2;
  let s = st.s;
  let delta = st.delta;
  let i = from;
  for (; i < to; i++) {
    const v = col[i] as number;
    const x = Math.round(v * scale);
    if (!(x < SCALED_LIMIT && x > -SCALED_LIMIT && x / scale === v) || (v === 0 && 1 / v < 0)) {
      break;
    }
    if (i === 0) {
      o1.add(x);
      o2.add(x);
    } else {
      const d = x - s;
      o1.add(d);
      o2.add(d - delta);
      delta = d;
    }
    s = x;
  }
  st.s = s;
  st.delta = delta;
  return i;
}

/** Point i does not fit the column's k: moves to the smallest k all of 0..i fit, or to XOR. */
function rescale(st: ColumnStats, col: ArrayLike<number>, i: number): void {
  const v = col[i] as number;
  for (let k = st.k + 1; k <= MAX_K; k++) {
    const scale = SCALES[k] as number;
    if (!fitsScale(v, scale)) continue;
    let j = 0;
    while (j < i && fitsScale(col[j] as number, scale)) j++;
    if (j < i) continue;
    st.k = k;
    st.s = 0;
    st.delta = 0;
    st.order1.reset();
    st.order2.reset();
    analyseDecimal(st, col, 0, i);
    return;
  }
  st.decimal = false;
}

const WRITER = new BitWriter();

/** Writes the chunk `plan` describes: its points are `times` and `columns`, as analysed. */
function writeChunk(plan: Plan, times: Times, columns: Values): Uint8Array {
  const header = plan.header;
  const headerLength = plan.headerLength;
  const out = new Uint8Array(plan.total);
  for (let i = 0; i < headerLength; i++) out[i] = header[i] as number;
  const n = plan.count;
  if (n === 0) return out;
  const w = WRITER.start((plan.total - headerLength) * 8);
  if (n > 1) encodeTimes(w, plan.time, times, n);
  let expected = endOfSection(w, 0, plan.timeBits);
  for (let c = 0; c < columns.length; c++) {
    const col = plan.columns[c] as ColumnPlan;
    const values = columns[c] as ArrayLike<number>;
    if (col.encoding === ENCODING_XOR) encodeXor(w, values, n, col.runBits);
    else encodeDecimal(w, values, n, col);
    expected = endOfSection(w, expected, col.bits);
  }
  w.copyTo(out, headerLength);
  return out;
}

/** Pads the section just written to a byte and checks it ends where its plan said; the new end. */
function endOfSection(w: BitWriter, start: number, bits: number): number {
  w.alignToByte();
  const end = start + Math.ceil(bits / 8) * 8;
  if (w.bitLength !== end) throw new Error('ChunkWriter: section size differs from its plan (a bug)');
  return end;
}

function encodeTimes(w: BitWriter, code: Code, times: Times, n: number): void {
  const coder = CODER.start(w, code);
  let prev = times[0] as number;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    const t = times[i] as number;
    const d = t - prev;
    coder.put(d - delta);
    delta = d;
    prev = t;
  }
  coder.end();
}

function encodeDecimal(w: BitWriter, vals: ArrayLike<number>, n: number, col: ColumnPlan): void {
  const coder = CODER.start(w, col.code);
  const scale = SCALES[(col.encoding - 1) >> 1] as number;
  const order2 = (col.encoding & 1) === 0;
  let s = Math.round((vals[0] as number) * scale);
  coder.put(s);
  let delta = 0;
  for (let i = 1; i < n; i++) {
    const x = Math.round((vals[i] as number) * scale);
    const d = x - s;
    coder.put(order2 ? d - delta : d);
    delta = d;
    s = x;
  }
  coder.end();
}

function encodeXor(w: BitWriter, vals: ArrayLike<number>, n: number, runBits: number): void {
  const float = FLOAT;
  const bits = FLOAT_BITS;
  const maxRun = runBits > 0 ? 1 << runBits : 0;
  w.write(runBits, 3);
  float[0] = vals[0] as number;
  let ph = (bits[HI] as number) | 0;
  let pl = (bits[LO] as number) | 0;
  w.write(ph, 32);
  w.write(pl, 32);
  let lead = NO_WINDOW;
  let trail = 0;
  let repeats = 0;
  for (let i = 1; i < n; i++) {
    float[0] = vals[i] as number;
    const hi = (bits[HI] as number) | 0;
    const lo = (bits[LO] as number) | 0;
    const xh = hi ^ ph;
    const xl = lo ^ pl;
    ph = hi;
    pl = lo;
    if ((xh | xl) === 0) {
      if (maxRun === 0) w.write(0, 1);
      else if (++repeats === maxRun) {
        w.write(repeats - 1, 1 + runBits);
        repeats = 0;
      }
      continue;
    }
    if (repeats > 0) {
      w.write(repeats - 1, 1 + runBits);
      repeats = 0;
    }
    const l = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const t = xl !== 0 ? ctz(xl) : 32 + ctz(xh);
    if (l >= lead && t >= trail) w.write(2, 2);
    else {
      lead = l > 31 ? 31 : l;
      trail = t;
      w.write((3 << 11) | (lead << 6) | ((64 - lead - trail) & 63), 13);
    }
    // The meaningful bits: the XOR shifted right by the window's trailing zeros.
    const m = 64 - lead - trail;
    let vh: number;
    let vl: number;
    if (trail >= 32) {
      vh = 0;
      vl = xh >>> (trail - 32);
    } else if (trail === 0) {
      vh = xh;
      vl = xl;
    } else {
      vh = xh >>> trail;
      vl = (xl >>> trail) | (xh << (32 - trail));
    }
    if (m > 32) {
      w.write(vh, m - 32);
      w.write(vl, 32);
    } else w.write(vl, m);
  }
  if (repeats > 0) w.write(repeats - 1, 1 + runBits);
}

/** The first of the n times that is not a safe integer in order (as append() wants them); -1 if none. */
function badTime(times: Times, n: number): number {
  const max = Number.MAX_SAFE_INTEGER;
  let last = n > 0 ? (times[0] as number) : 0;
  for (let i = 0; i < n; i++) {
    const t = times[i] as number;
    // Also false for NaN; differences of in-range times are at most 2^54 - 2, exact in a double.
    if (!(t <= max && t >= -max && Math.floor(t) === t && t >= last && t - last <= max)) return i;
    last = t;
  }
  return -1;
}

/**
 * Encodes `count` points in one call, with no writer: `times[i]` and `columns[c][i]` for i below
 * count (default: all of times), under the same rules as ChunkWriter.append. Gives the bytes a
 * ChunkWriter appended the same points would; throws RangeError on points append would refuse.
 */
export function encodeChunk(times: Times, columns: Values, count = times.length): Uint8Array {
  const cols = columns.length;
  if (cols < 1 || cols > MAX_COLUMNS) throw new RangeError(`encodeChunk: ${cols} columns (1 to ${MAX_COLUMNS})`);
  if (!Number.isInteger(count) || count < 0 || count > times.length || count > MAX_POINTS) {
    throw new RangeError(`encodeChunk: cannot encode ${count} of ${times.length} points (at most ${MAX_POINTS})`);
  }
  for (let c = 0; c < cols; c++) {
    const length = (columns[c] as ArrayLike<number>).length;
    if (length < count) throw new RangeError(`encodeChunk: column ${c} has ${length} values for ${count} points`);
  }
  const bad = badTime(times, count);
  if (bad >= 0) {
    const t = times[bad] as number;
    const last = bad > 0 ? (times[bad - 1] as number) : t;
    if (!Number.isSafeInteger(t)) throw new RangeError(`encodeChunk: time ${t} is not a safe integer`);
    if (t < last) throw new RangeError(`encodeChunk: time ${t} is before the previous point's ${last}`);
    throw new RangeError(`encodeChunk: time ${t} is too far after ${last}`);
  }
  const a = analysisFor(cols);
  a.analyse(times, columns, count);
  return writeChunk(a.plan(count > 0 ? (times[0] as number) : 0, count, null) as Plan, times, columns);
}

/**
 * Builds one chunk from points appended in time order. The raw points stay in memory and are
 * encoded by finish(), which picks each column's coding from all of its values. Asked for
 * byteLength, the writer keeps that analysis and brings it up to date incrementally, so
 * byteLength is cheap to ask after every append; a writer never asked pays for none of it.
 */
export class ChunkWriter {
  private readonly cols: number;
  private times: number[] = [];
  /** Values column by column: point i's column c at vals[c][i]. */
  private readonly vals: number[][] = [];
  /** The analysis behind byteLength, made on its first call. */
  private analysis: Analysis | null = null;
  /** The last exact plan of that analysis, which byteLength prices later points with. */
  private plan: Plan | null = null;
  /** Points and bytes at the last finish(). */
  private finished = -1;
  private finishedBytes = 0;

  /** `columns` values per point: 1 for raw points, 5 for rollups (min, max, sum, count, last). */
  constructor(columns = 1) {
    if (!Number.isInteger(columns) || columns < 1 || columns > MAX_COLUMNS) {
      throw new RangeError(`ChunkWriter: columns must be an integer from 1 to ${MAX_COLUMNS}, not ${columns}`);
    }
    this.cols = columns;
    for (let c = 0; c < columns; c++) this.vals.push([]);
  }

  /**
   * Appends a point. `t` is whole milliseconds since the epoch, a safe integer no earlier than the
   * previous point's (equal is fine); one value per column, any float64 (NaN's payload may not
   * survive). Throws RangeError otherwise, leaving the chunk as it was.
   */
  append(t: number, ...values: number[]): void {
    const times = this.times;
    const n = times.length;
    const cols = this.cols;
    const last = n > 0 ? (times[n - 1] as number) : t;
    // One test on the hot path; the messages are built out of line, which keeps append inlinable.
    if (!Number.isSafeInteger(t) || !(t >= last && t - last <= Number.MAX_SAFE_INTEGER) || values.length !== cols || n === MAX_POINTS) {
      this.refuse(t, last, values.length);
    }
    times.push(t === 0 ? 0 : t); // -0 would come back as 0 anyway
    const vals = this.vals;
    for (let c = 0; c < cols; c++) (vals[c] as number[]).push(values[c] as number);
  }

  private refuse(t: number, last: number, values: number): never {
    if (!Number.isSafeInteger(t)) throw new RangeError(`ChunkWriter: time ${t} is not a safe integer`);
    if (t < last) throw new RangeError(`ChunkWriter: time ${t} is before the previous point's ${last}`);
    if (t - last > Number.MAX_SAFE_INTEGER) throw new RangeError(`ChunkWriter: time ${t} is too far after ${last}`);
    if (values !== this.cols) throw new RangeError(`ChunkWriter: ${values} values for a chunk of ${this.cols} columns`);
    throw new RangeError(`ChunkWriter: a chunk holds at most ${MAX_POINTS} points`);
  }

  get count(): number {
    return this.times.length;
  }

  /** Time of the first point; NaN when empty. */
  get firstTime(): number {
    return this.times.length === 0 ? NaN : (this.times[0] as number);
  }

  /** Time of the last point; NaN when empty. */
  get lastTime(): number {
    const n = this.times.length;
    return n === 0 ? NaN : (this.times[n - 1] as number);
  }

  /**
   * Bytes finish() would return now, never fewer: exact after finish() and at least every
   * REPLAN_POINTS (32) appends; in between, the newer points are priced with the code tables
   * planned then, which finish() may beat by a few bytes. Cheap enough to ask after every append.
   */
  get byteLength(): number {
    const n = this.times.length;
    if (this.finished === n) return this.finishedBytes;
    const exact = this.plan;
    if (exact !== null && exact.count === n) return exact.total;
    const a = (this.analysis ??= new Analysis(this.cols));
    a.analyse(this.times, this.vals, n);
    const t0 = n > 0 ? (this.times[0] as number) : 0;
    if (exact !== null && n - exact.count < REPLAN_POINTS) {
      const estimate = a.plan(t0, n, exact);
      if (estimate !== null) return estimate.total;
    }
    this.plan = a.plan(t0, n, null) as Plan;
    return this.plan.total;
  }

  /** The encoded chunk. The writer stays usable: later appends extend the same chunk. */
  finish(): Uint8Array {
    const { times, vals } = this;
    const n = times.length;
    const t0 = n > 0 ? (times[0] as number) : 0;
    const own = this.analysis;
    let plan: Plan;
    if (own !== null) {
      // Asked for byteLength: bring its analysis up to date, and let it price from this plan.
      if (this.plan === null || this.plan.count !== n) {
        own.analyse(times, vals, n);
        this.plan = own.plan(t0, n, null) as Plan;
      }
      plan = this.plan;
    } else {
      const a = analysisFor(this.cols);
      a.analyse(times, vals, n);
      plan = a.plan(t0, n, null) as Plan;
    }
    const out = writeChunk(plan, times, vals);
    this.finished = n;
    this.finishedBytes = out.length;
    return out;
  }
}

/** Reads a chunk header: bytes and varints of at most 8 bytes, each a safe integer. */
class HeaderReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(what: string): number {
    if (this.at >= this.bytes.length) throw new ChunkError(`chunk truncated: no ${what}`);
    return this.bytes[this.at++] as number;
  }

  varint(what: string): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte(what);
      v += (b & 127) * scale;
      if (b < 128) {
        if (v > Number.MAX_SAFE_INTEGER) break;
        return v;
      }
      scale *= 128;
    }
    throw new ChunkError(`chunk malformed: ${what} is too large`);
  }

  signedVarint(what: string): number {
    const first = this.byte(what);
    let m = (first >> 1) & 63;
    if (first >= 128) {
      let scale = 64;
      for (let i = 0; ; i++) {
        const b = this.byte(what);
        m += (b & 127) * scale;
        if (b < 128) break;
        if (i === 6) throw new ChunkError(`chunk malformed: ${what} is too large`);
        scale *= 128;
      }
    }
    if (m > Number.MAX_SAFE_INTEGER) throw new ChunkError(`chunk malformed: ${what} is too large`);
    return first & 1 ? -m : m;
  }
}

/**
 * The point count the header of the chunk at `bytes[at..]` states, read without decoding it (to
 * size buffers before a bulk decode); 0 for bytes that are not a chunk of this version (decoding
 * them says why).
 */
export function chunkPoints(bytes: Uint8Array, at = 0): number {
  try {
    const h = new HeaderReader(bytes);
    h.at = at;
    if (h.byte('version') !== VERSION) return 0;
    h.byte('column count');
    return Math.min(h.varint('point count'), MAX_POINTS);
  } catch {
    return 0;
  }
}

/**
 * Decodes a chunk written by ChunkWriter. Throws ChunkError on anything else (truncated, damaged,
 * or a version this code does not know); the work and memory are linear in the input's length.
 * With `scratch` large enough, the arrays returned are views of it, valid until it is used again
 * (a bulk reader that copies each chunk out allocates nothing per chunk).
 */
export function decodeChunk(bytes: Uint8Array, scratch?: ArrayBuffer): DecodedChunk {
  if (!(bytes instanceof Uint8Array)) throw new ChunkError('chunk is not a Uint8Array');
  if (bytes.length > MAX_INPUT) throw new ChunkError(`chunk of ${bytes.length} bytes is too large`);
  const h = new HeaderReader(bytes);
  const version = h.byte('version');
  if (version !== VERSION) throw new ChunkError(`chunk version ${version} is not supported (expected ${VERSION})`);
  const columns = h.byte('column count');
  if (columns === 0) throw new ChunkError('chunk malformed: no columns');
  const n = h.varint('point count');
  if (n === 0) {
    if (h.at !== bytes.length) throw new ChunkError('chunk malformed: bytes after an empty chunk');
    const values: Float64Array[] = [];
    for (let c = 0; c < columns; c++) values.push(new Float64Array(0));
    return { columns, times: new Float64Array(0), values };
  }
  if (n > MAX_POINTS) throw new ChunkError(`chunk malformed: ${n} points (at most ${MAX_POINTS})`);
  const t0 = h.signedVarint('first time');
  const timeBytes = h.varint('time section length');
  const encodings: number[] = [];
  const lengths: number[] = [];
  for (let c = 0; c < columns; c++) {
    const encoding = h.byte('column encoding');
    if (encoding > 2 * MAX_K + 2) throw new ChunkError(`chunk malformed: unknown encoding ${encoding} for column ${c}`);
    encodings.push(encoding);
    lengths.push(h.varint('column section length'));
  }
  let end = h.at + timeBytes;
  for (const l of lengths) end += l;
  if (end > bytes.length) throw new ChunkError('chunk truncated: sections run past the end');
  if (end < bytes.length) throw new ChunkError('chunk malformed: bytes after the last section');
  // Every code costs at least a bit and stands for at most MAX_RUN points; XOR takes a bit a point.
  if (n === 1 ? timeBytes !== 0 : n - 1 > timeBytes * 8 * MAX_RUN) {
    throw new ChunkError('chunk malformed: time section does not match the point count');
  }
  for (let c = 0; c < columns; c++) {
    const bits = (lengths[c] as number) * 8;
    if (encodings[c] === ENCODING_XOR ? bits < 67 || n - 1 > (bits - 67) * MAX_RUN : bits < 13 || n > (bits - 12) * MAX_RUN) {
      throw new ChunkError(`chunk malformed: column ${c} section does not match the point count`);
    }
  }

  // Big-endian words of the sections, padded with zeros so reads just past a section's end are safe.
  const start = h.at;
  const body = end - start;
  const full = body >>> 2;
  const words = wordsFor(full + 1 + PAD_WORDS);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < full; i++) words[i] = view.getInt32(start + 4 * i);
  let tail = 0;
  for (let j = start + 4 * full, shift = 24; j < end; j++, shift -= 8) tail |= (bytes[j] as number) << shift;
  words[full] = tail;
  words.fill(0, full + 1, full + 1 + PAD_WORDS);
  const r = new BitReader(words);

  // One buffer for the times and every column: one allocation, however many columns.
  const size = n * (1 + columns) * 8;
  const buffer = scratch && scratch.byteLength >= size ? scratch : new ArrayBuffer(size);
  const times = new Float64Array(buffer, 0, n);
  times[0] = t0;
  r.end = timeBytes * 8;
  if (n > 1) {
    r.table('times');
    let t = t0;
    let delta = 0;
    for (let i = 1; i < n; ) {
      r.within('times');
      const x = r.residual();
      const run = r.run;
      if (run === 1) {
        delta += x;
        t += delta;
        if (delta < 0 || delta > Number.MAX_SAFE_INTEGER || t > Number.MAX_SAFE_INTEGER) {
          throw new ChunkError(`chunk malformed: time at point ${i} is out of order or out of range`);
        }
        times[i++] = t;
      } else {
        if (run > n - i) throw new ChunkError('chunk malformed: times run past the point count');
        for (const e = i + run; i < e; i++) {
          t += delta;
          times[i] = t;
        }
        if (t > Number.MAX_SAFE_INTEGER) throw new ChunkError(`chunk malformed: time at point ${i - 1} is out of range`);
      }
    }
  }
  endSection(r, 'times');

  const values: Float64Array[] = [];
  for (let c = 0; c < columns; c++) {
    r.pos = r.end;
    r.end += (lengths[c] as number) * 8;
    const encoding = encodings[c] as number;
    const out = new Float64Array(buffer, (1 + c) * n * 8, n);
    if (encoding === ENCODING_XOR) decodeXor(r, out, new Uint32Array(buffer, (1 + c) * n * 8, 2 * n));
    else decodeDecimal(r, out, encoding, c);
    values.push(out);
    endSection(r, `column ${c}`);
  }
  return { columns, times, values };
}

/** Decoding's word buffer, kept between calls unless large (decoding is synchronous). */
let scratchWords = new Int32Array(1_024);

function wordsFor(count: number): Int32Array {
  if (count <= scratchWords.length) return scratchWords;
  const words = new Int32Array(count);
  if (count <= KEEP_WORDS) scratchWords = words;
  return words;
}

/** A section must end in its last byte: anything else means a damaged length or body. */
function endSection(r: BitReader, what: string): void {
  r.within(what);
  if (r.end - r.pos >= 8) throw new ChunkError(`chunk malformed: ${what} is longer than its points`);
}

function decodeDecimal(r: BitReader, out: Float64Array, encoding: number, c: number): void {
  const what = `column ${c}`;
  const n = out.length;
  const scale = SCALES[(encoding - 1) >> 1] as number;
  const order2 = (encoding & 1) === 0;
  r.table(what);
  // The first residual is the first scaled value itself (delta 0 before it).
  let s = 0;
  let delta = 0;
  for (let i = 0; i < n; ) {
    r.within(what);
    const x = r.residual();
    const run = r.run;
    if (run === 1) {
      if (i === 0) s = x;
      else if (order2) {
        delta += x;
        s += delta;
      } else s += x;
      if (!(s < SCALED_LIMIT && s > -SCALED_LIMIT)) throw new ChunkError(`chunk malformed: ${what} value out of range`);
      out[i++] = s / scale;
    } else {
      if (run > n - i) throw new ChunkError(`chunk malformed: ${what} runs past the point count`);
      const e = i + run;
      if (order2 && delta !== 0) {
        for (; i < e; i++) {
          s += delta;
          out[i] = s / scale;
        }
        if (!(s < SCALED_LIMIT && s > -SCALED_LIMIT)) throw new ChunkError(`chunk malformed: ${what} value out of range`);
      } else {
        out.fill(s / scale, i, e);
        i = e;
      }
    }
  }
}

/** Decodes an XOR section into `out`, through `bits`, a view of out's bit patterns. */
function decodeXor(r: BitReader, out: Float64Array, bits: Uint32Array): void {
  const n = out.length;
  const runBits = r.peek() >>> 29;
  r.pos += 3;
  let hi = r.peek();
  r.pos += 32;
  let lo = r.peek();
  r.pos += 32;
  bits[HI] = hi;
  bits[LO] = lo;
  let lead = NO_WINDOW;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    r.within('an XOR column');
    const x = r.peek();
    if (x >= 0) {
      // The value repeats, once or for a run.
      if (runBits === 0) r.pos += 1;
      else {
        const run = ((x << 1) >>> (32 - runBits)) + 1;
        r.pos += 1 + runBits;
        if (run > n - i) throw new ChunkError('chunk malformed: XOR repeats run past the point count');
        for (const e = i + run - 1; i < e; i++) {
          bits[2 * i + HI] = hi;
          bits[2 * i + LO] = lo;
        }
      }
    } else {
      let m: number;
      if ((x & 0x40000000) === 0) {
        if (lead === NO_WINDOW) throw new ChunkError('chunk malformed: XOR window used before one was set');
        m = 64 - lead - trail;
        r.pos += 2;
      } else {
        lead = (x >>> 25) & 31;
        m = ((x >>> 19) & 63) || 64;
        trail = 64 - lead - m;
        if (trail < 0) throw new ChunkError('chunk malformed: XOR window wider than 64 bits');
        r.pos += 13;
      }
      const y = r.peek();
      let vh = 0;
      let vl: number;
      if (m <= 32) {
        vl = y >>> (32 - m);
        r.pos += m;
      } else {
        vh = y >>> (64 - m);
        r.pos += m - 32;
        vl = r.peek();
        r.pos += 32;
      }
      if (trail >= 32) hi ^= vl << (trail - 32);
      else if (trail === 0) {
        hi ^= vh;
        lo ^= vl;
      } else {
        hi ^= (vh << trail) | (vl >>> (32 - trail));
        lo ^= vl << trail;
      }
    }
    bits[2 * i + HI] = hi;
    bits[2 * i + LO] = lo;
  }
}
