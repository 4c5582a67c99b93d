/**
 * Longest value or timestamp field read as a number. No float needs more (17 significant digits,
 * a sign, a point and an exponent); the cap is checked before anything parses the field.
 */
export const MAX_NUMBER_LENGTH = 64;

// Lower-cased: Prometheus reads these in any case (prom-client writes `Nan`), as Go's ParseFloat does.
// Maps, not object literals: `constructor` or `toString` must not look like a known word.
const SPECIAL_VALUES = new Map<string, number>([
  ['nan', NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** Index just past the run of digits at `i`. */
function skipDigits(text: string, i: number): number {
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Whether `raw` is `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`, read in one pass: as a backtracking
 * RegExp that grammar took 9.6 s over 100 KB of digits followed by an `x`.
 */
function isDecimal(raw: string): boolean {
  let i = raw[0] === '+' || raw[0] === '-' ? 1 : 0;
  const whole = skipDigits(raw, i);
  const fraction = raw[whole] === '.' ? skipDigits(raw, whole + 1) : whole;
  const digits = whole - i + Math.max(0, fraction - whole - 1);
  if (digits === 0) return false;
  i = fraction;
  if (raw[i] === 'e' || raw[i] === 'E') {
    i += raw[i + 1] === '+' || raw[i + 1] === '-' ? 2 : 1;
    const exponent = skipDigits(raw, i);
    if (exponent === i) return false;
    i = exponent;
  }
  return i === raw.length;
}

/**
 * A sample value as the Prometheus text format writes it: a decimal or exponent float, `NaN`,
 * `+Inf`, `Inf` or `-Inf` (in any case, `Infinity` too). Undefined for anything else, or for more than MAX_NUMBER_LENGTH characters.
 */
export function parseSampleValue(raw: string): number | undefined {
  if (raw.length > MAX_NUMBER_LENGTH) return undefined;
  if (isDecimal(raw)) return Number(raw);
  return SPECIAL_VALUES.get(raw.toLowerCase());
}

/** A whole number of milliseconds, optionally negative; undefined for anything else or anything longer than MAX_NUMBER_LENGTH. */
export function parseMillis(raw: string): number | undefined {
  if (raw.length > MAX_NUMBER_LENGTH) return undefined;
  const start = raw[0] === '-' ? 1 : 0;
  if (raw.length === start || skipDigits(raw, start) !== raw.length) return undefined;
  return Number(raw);
}
