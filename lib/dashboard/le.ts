// Client-safe and small: a histogram bucket's bound, as the layout needs it to recognise one.

/** The `le` label as a bound: `+Inf`, `Inf` and numbers as Prometheus writes them; NaN when it is none. */
export function parseLe(le: string): number {
  const s = le.trim().toLowerCase();
  if (s === '+inf' || s === 'inf' || s === '+infinity' || s === 'infinity') return Infinity;
  // Number() reads every float Prometheus writes; '' (which it reads as 0) is no bound.
  return s === '' ? NaN : Number(s);
}
