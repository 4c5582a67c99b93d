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
    const cap = Math.min(this.t.length * 2, this.maxPoints);
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    for (let i = 0; i < this.count; i++) {
      t[i] = this.timeAt(i);
      v[i] = this.valueAt(i);
    }
    this.t = t;
    this.v = v;
    this.start = 0;
  }
}
