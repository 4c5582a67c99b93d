import type { Pair } from '@/lib/wire';
import type { Tier } from './block';
import type { Engine, Series } from './engine';

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface TierRetention {
  rawMs: number;
  m1Ms: number;
}

/**
 * The tier a window is read from: raw points while a pixel (window / points) is under a minute
 * and the window within RETENTION_RAW, 1-minute rollups while a pixel is under an hour and the
 * window within RETENTION_1M, else 1-hour rollups.
 */
export function chooseTier(windowMs: number, maxPoints: number, retention: TierRetention): Tier {
  const step = windowMs / Math.max(1, maxPoints);
  if (step < MINUTE && windowMs <= retention.rawMs) return 'raw';
  if (step < HOUR && windowMs <= retention.m1Ms) return 'm1';
  return 'h1';
}

/**
 * History of `key` over the last `windowMs` from the durable tiers, at most `maxPoints` pairs:
 * raw points reduced to each bucket's min and max (as the hot tier does), rollups re-bucketed to
 * the pixel with each bucket's min and max, so a one-second spike in a month-long chart stays.
 */
export function diskHistory(engine: Engine, key: string, windowMs: number, maxPoints: number, now: number, retention: TierRetention): { tier: Tier; points: Pair[] } {
  const from = now - windowMs;
  let tier = chooseTier(windowMs, maxPoints, retention);
  // Raw hours deleted for DATA_MAX_BYTES: the window's start is read from the rollups instead.
  const oldestRaw = engine.oldestRaw();
  if (tier === 'raw' && (oldestRaw === undefined || oldestRaw > from + windowMs / Math.max(1, maxPoints))) tier = 'm1';
  const series = engine.read(key, from, now, tier);
  return { tier, points: tier === 'raw' ? reduceRaw(series, maxPoints) : reduceRollups(series, from, now, maxPoints) };
}

/** Min and max per bucket of equal count, in time order, the newest point last. */
export function reduceRaw({ t, v }: Series, maxPoints: number): Pair[] {
  const n = t.length;
  if (n <= maxPoints) return t.map((ti, i) => [ti, v[i]!]);
  if (maxPoints <= 2) return [[t[n - 1]!, v[n - 1]!]];
  const out: Pair[] = [];
  const buckets = Math.floor((maxPoints - 1) / 2);
  const m = n - 1;
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * m) / buckets);
    const hi = Math.floor(((b + 1) * m) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (v[i]! < v[iMin]!) iMin = i;
      if (v[i]! > v[iMax]!) iMax = i;
    }
    const first = Math.min(iMin, iMax);
    const second = Math.max(iMin, iMax);
    out.push([t[first]!, v[first]!]);
    if (second !== first) out.push([t[second]!, v[second]!]);
  }
  out.push([t[m]!, v[m]!]);
  return out;
}

/** Rollups merged into at most maxPoints / 2 buckets of equal time; each bucket gives its min then its max (one pair when equal). */
export function reduceRollups(s: Series, from: number, to: number, maxPoints: number): Pair[] {
  const n = s.t.length;
  const min = s.min ?? s.v;
  const max = s.max ?? s.v;
  const out: Pair[] = [];
  if (n === 0) return out;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  if (n <= buckets) {
    for (let i = 0; i < n; i++) pushPair(out, s.t[i]!, min[i]!, max[i]!, 0);
    return out;
  }
  const width = (to - from) / buckets;
  let current = -1;
  let lo = 0;
  let hi = 0;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((s.t[i]! - from) / width)));
    if (b !== current) {
      if (current >= 0) pushPair(out, at, lo, hi, width);
      current = b;
      lo = min[i]!;
      hi = max[i]!;
      at = s.t[i]!;
    } else {
      if (min[i]! < lo) lo = min[i]!;
      if (max[i]! > hi) hi = max[i]!;
    }
  }
  pushPair(out, at, lo, hi, width);
  return out;
}

function pushPair(out: Pair[], at: number, lo: number, hi: number, width: number): void {
  out.push([at, lo]);
  if (hi !== lo) out.push([at + Math.max(1, Math.floor(width / 2)), hi]);
}
