/**
 * Orders cursors of the form `<a>-<b>` (the embedded bus's `<epoch>-<seq>`, Redis's `<ms>-<seq>`):
 * negative when `x` is older. Parts are numbers written without leading zeros in base 36 or 10, so
 * a longer part is larger and equal lengths compare as text: exact for any length (a Redis id's
 * 13-digit milliseconds read as base 36 would exceed what a double holds exactly).
 */
export function compareCursors(x: string, y: string): number {
  const [xa = '', xb = ''] = x.split('-');
  const [ya = '', yb = ''] = y.split('-');
  return comparePart(xa, ya) || comparePart(xb, yb);
}

function comparePart(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
