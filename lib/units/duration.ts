const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in `500ms`, `15s`, `5m`, `1h`, `1d` or a bare number of milliseconds; NaN otherwise. */
export function parseDuration(raw: string): number {
  // The unit's leading spaces sit inside its optional group: two adjacent `\s*` around an optional
  // unit backtrack quadratically (`1` + 16 KB of spaces + `x` in a URL took 0.3 s).
  const m = /^\s*(\d+(?:\.\d+)?)(?:\s*(ms|s|m|h|d))?\s*$/.exec(raw);
  return m ? Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 'ms'] ?? 1)) : NaN;
}
