/**
 * Bounded text helpers shared by the /proc parsers. Everything Pulseboard reads from /proc and /sys
 * goes through these, so a file that is empty, binary, one huge line or millions of lines costs at
 * most the caps the caller passes, never more.
 */

/** Longest line any parser looks at; longer lines are skipped as malformed (the `intr` line of /proc/stat on big hosts). */
export const MAX_LINE_LENGTH = 4_096;

/**
 * Calls `visit` with each line of `text`, at most `maxLines` of them, skipping lines longer than
 * `maxLineLength`. `visit` returns `false` to stop early. Returns how many lines were looked at,
 * and whether the cap stopped the walk before the end of the text.
 */
export function forEachLine(
  text: string,
  maxLines: number,
  visit: (line: string) => boolean | void,
  maxLineLength: number = MAX_LINE_LENGTH,
): { lines: number; capped: boolean } {
  let pos = 0;
  let lines = 0;
  while (pos < text.length) {
    if (lines >= maxLines) return { lines, capped: true };
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    lines++;
    if (end - pos <= maxLineLength && visit(text.slice(pos, end)) === false) return { lines, capped: false };
    pos = end + 1;
  }
  return { lines, capped: false };
}

/** The whitespace-separated fields of a line (already bounded by `forEachLine`). */
export function fieldsOf(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** A non-negative decimal integer as the kernel prints it, or undefined for anything else (including ''). */
export function parseCount(token: string | undefined): number | undefined {
  if (token === undefined || token.length === 0 || token.length > 20) return undefined;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(token);
}

/** A non-negative decimal such as `0.80` from /proc/loadavg, or undefined. */
export function parseDecimal(token: string | undefined): number | undefined {
  if (token === undefined || token.length > 40 || !/^\d+(?:\.\d+)?$/.test(token)) return undefined;
  return Number(token);
}

/**
 * A name fit for a label value: at most `max` characters, control characters replaced by `?` so
 * a process that renames itself to an escape sequence cannot reach a terminal or a log verbatim.
 */
export function boundLabel(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  let out = '';
  for (let i = 0; i < cut.length; i++) {
    const c = cut.charCodeAt(i);
    out += c < 32 || c === 127 ? '?' : cut[i];
  }
  return out;
}

/** True when `value` has no control characters and is 1..`max` characters long: a safe device or interface name. */
export function isPlainName(value: string, max: number): boolean {
  if (value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
  }
  return true;
}
