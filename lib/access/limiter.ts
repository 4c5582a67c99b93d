/**
 * Counts failures per key (a user name, an address) within a window: past `max` of them the key
 * is locked until its oldest failure leaves the window. Bounded: at most `max` times a key, and at
 * most `maxKeys` keys (the oldest forgotten first past it, so a flood of fresh names cannot grow it).
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  lockedFor(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    return times.length >= this.max ? times[0]! + this.windowMs - now : 0;
  }

  fail(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    times.push(now);
    if (times.length > this.max) times.shift();
    // Re-inserted: the Map's order is then oldest-failure first.
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  /** A success clears the key's failures. */
  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
