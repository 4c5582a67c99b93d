// No duration needs more characters; a longer one is not parsed at all.
const MAX_DURATION_LENGTH = 32;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in `500ms`, `15s`, `5m`, `1h`, `1d` or a bare number of milliseconds; NaN otherwise. */
export function parseDuration(raw: string): number {
  // Bounded, and linear: digits, spaces and unit letters are disjoint, so nothing backtracks.
  if (raw.length > MAX_DURATION_LENGTH) return NaN;
  const m = /^(\d+(?:\.\d+)?)\s*([dhms]|ms)?$/.exec(raw.trim());
  return m ? Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 'ms'] ?? 1)) : NaN;
}
