const INITIAL_CAPACITY = 64;

/**
 * Time-ordered ring buffer of (t, v) pairs on two Float64Arrays.
 * Capacity doubles on demand up to `maxPoints`, then the oldest point is overwritten:
 * appends are O(1) amortised and a quiet series costs 1 KB, not its maximum.
 */
export class Ring {
  private t: Float64Array;
  private v: Float64Array;
  private start = 0;
  private count = 0;

  constructor(private readonly maxPoints: number) {
    const cap = Math.min(INITIAL_CAPACITY, maxPoints);
    this.t = new Float64Array(cap);
    this.v = new Float64Array(cap);
  }

  get length(): number {
    return this.count;
  }

  get capacity(): number {
    return this.t.length;
  }

  /** Time of the newest point, or -Infinity when empty. */
  get lastTime(): number {
    return this.count === 0 ? -Infinity : this.timeAt(this.count - 1);
  }

  get lastValue(): number {
    return this.count === 0 ? NaN : this.valueAt(this.count - 1);
  }

  timeAt(i: number): number {
    return this.t[(this.start + i) % this.t.length] as number;
  }

  valueAt(i: number): number {
    return this.v[(this.start + i) % this.v.length] as number;
  }

  /** Appends a point; the caller keeps times non-decreasing. */
  push(t: number, v: number): void {
    if (this.count === this.t.length) {
      if (this.t.length < this.maxPoints) this.grow();
      else {
        this.start = (this.start + 1) % this.t.length;
        this.count--;
      }
    }
    const i = (this.start + this.count) % this.t.length;
    this.t[i] = t;
    this.v[i] = v;
    this.count++;
  }

  /**
   * Appends points [from, to) of `times`/`values` (in time order, after the newest held) at once:
   * capacity grows once for all of them, and the oldest are overwritten past `maxPoints`, as
   * push does. For refilling the ring from disk at start (tens of millions of points).
   */
  pushMany(times: ArrayLike<number>, values: ArrayLike<number>, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.count + n > this.t.length && this.t.length < this.maxPoints) {
      let cap = this.t.length;
      while (cap < this.count + n && cap < this.maxPoints) cap *= 2;
      this.growTo(Math.min(cap, this.maxPoints));
    }
    const size = this.t.length;
    if (this.count + n <= size && times instanceof Float64Array && values instanceof Float64Array) {
      // Room for all of them: at most two contiguous copies (the free space may wrap).
      const end = (this.start + this.count) % size;
      const first = Math.min(n, size - end);
      this.t.set(times.subarray(from, from + first), end);
      this.v.set(values.subarray(from, from + first), end);
      if (first < n) {
        this.t.set(times.subarray(from + first, to), 0);
        this.v.set(values.subarray(from + first, to), 0);
      }
      this.count += n;
      return;
    }
    // Past capacity only the newest `size` points stay: skip the rest of the input up front.
    let i = from;
    if (n > size) i = to - size;
    let at = (this.start + this.count) % size;
    const t = this.t;
    const v = this.v;
    for (; i < to; i++) {
      t[at] = times[i]!;
      v[at] = values[i]!;
      at = at + 1 === size ? 0 : at + 1;
      if (this.count < size) this.count++;
      else this.start = this.start + 1 === size ? 0 : this.start + 1;
    }
  }

  /** Makes room for `n` more points at once (within `maxPoints`), so the next appends do not grow it step by step. */
  reserve(n: number): void {
    const cap = this.reserved(n);
    if (cap > this.t.length) this.growTo(cap);
  }

  /** The capacity `reserve(n)` would give. */
  reserved(n: number): number {
    return Math.max(this.t.length, Math.min(this.maxPoints, this.count + Math.max(0, n)));
  }

  /**
   * Moves the points into `t` and `v` (views of one larger buffer, say, shared by many rings so
   * that a start allocates once, not ten thousand times), which become the ring's storage. They
   * must be as long as each other and hold at least what the ring holds.
   */
  adopt(t: Float64Array, v: Float64Array): void {
    if (t.length !== v.length || t.length < this.count) throw new RangeError('a ring adopts two arrays as long as each other, with room for its points');
    this.copyInto(t, v);
  }

  /** Drops points older than `t`. */
  dropBefore(t: number): void {
    while (this.count > 0 && (this.t[this.start] as number) < t) {
      this.start = (this.start + 1) % this.t.length;
      this.count--;
    }
  }

  /** Index of the first point with time >= t (length when none). */
  lowerBound(t: number): number {
    return this.search((x) => x < t);
  }

  /** Index of the first point with time > t (length when none). */
  upperBound(t: number): number {
    return this.search((x) => x <= t);
  }

  private search(before: (time: number) => boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.timeAt(mid))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    this.growTo(Math.min(this.t.length * 2, this.maxPoints));
  }

  private growTo(cap: number): void {
    this.copyInto(new Float64Array(cap), new Float64Array(cap));
  }

  private copyInto(t: Float64Array, v: Float64Array): void {
    // The held points in order: at most two runs (the ring may wrap).
    const size = this.t.length;
    const first = Math.min(this.count, size - this.start);
    t.set(this.t.subarray(this.start, this.start + first), 0);
    v.set(this.v.subarray(this.start, this.start + first), 0);
    if (first < this.count) {
      t.set(this.t.subarray(0, this.count - first), first);
      v.set(this.v.subarray(0, this.count - first), first);
    }
    this.t = t;
    this.v = v;
    this.start = 0;
  }
}
