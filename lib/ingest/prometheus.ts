import { clip } from '@/lib/http';
import { MAX_NUMBER_LENGTH, parseMillis, parseSampleValue } from '@/lib/points';
import type { MetricType } from '@/lib/schema';

/** A sample line of the text format, before validation. */
export interface TextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
  line: number;
}

/** What `# TYPE` and `# HELP` said of a metric family. */
export interface FamilyMeta {
  type?: MetricType;
  help?: string;
}

export interface TextExposition {
  samples: TextSample[];
  families: Map<string, FamilyMeta>;
  /** The line of each family's `# HELP`, where an issue with its text is placed. */
  helpLines: Map<string, number>;
}

/** Bounds applied while reading, before anything is built from a line. */
export interface TextLimits {
  /** Reading stops once this many samples are held: a caller allowing n passes n + 1, and refuses when it gets that many. */
  stopAfter: number;
  /** INGEST_MAX_NAME_LENGTH */
  maxNameLength: number;
  /** INGEST_MAX_LABEL_NAME_LENGTH */
  maxLabelNameLength: number;
  /** INGEST_MAX_LABELS: labels past one more than this are read but not kept (validation refuses the sample). */
  maxLabels: number;
  /**
   * Series read before (a scrape target's, from its last scrape): a line whose text up to its value
   * is one of them is not read again, and gets the same frozen labels object. Filled as it reads.
   */
  cache?: SeriesCache;
}

/** The series part of sample lines (`name{labels}`) already read, and what they read as. */
export class SeriesCache {
  // Two generations, as Prometheus' scrape cache: what the last scrape used, and what this one has.
  private current = new Map<string, { name: string; labels: Readonly<Record<string, string>> }>();
  private previous = new Map<string, { name: string; labels: Readonly<Record<string, string>> }>();
  constructor(readonly max: number) {}
  /** Called before each scrape: series the last scrape did not use are forgotten. */
  startScrape(): void {
    this.previous = this.current;
    this.current = new Map();
  }
  get(text: string) {
    let hit = this.current.get(text);
    if (!hit) {
      hit = this.previous.get(text);
      if (hit && this.current.size < this.max) this.current.set(text, hit);
    }
    return hit;
  }
  set(text: string, name: string, labels: Record<string, string>): Readonly<Record<string, string>> {
    // Copies, not slices: a slice would keep the whole body it came from alive as long as the cache.
    // Defined, never assigned: a label named `__proto__` stays an ordinary key.
    const frozen = Object.freeze(Object.fromEntries(Object.entries(labels).map(([k, v]) => [copy(k), copy(v)])));
    if (this.current.size < this.max) this.current.set(copy(text), { name: copy(name), labels: frozen });
    return frozen;
  }
  get size(): number {
    return this.current.size;
  }
}

/** A string of its own (V8 keeps a slice pointing into the string it was cut from). */
const copy = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

export class TextFormatError extends Error {
  override readonly name = 'TextFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

// Characters of the input a message shows where a token was expected, or of an overlong name.
const CONTEXT = 20;
const NAME_ECHO = 40;
// Maps, not object literals: `constructor` or `toString` must not look like a known word.
const TYPES = new Map<string, MetricType>([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'untyped'],
  ['unknown', 'untyped'],
]);

// No RegExp runs over the body: each line is read once, left to right, by the scanners below.

/** The characters JavaScript's `\s` and `trim()` take as blanks. */
function isBlank(c: number): boolean {
  return (
    c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function skipBlanks(s: string, i: number, end: number): number {
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  return i;
}

function skipToken(s: string, i: number, end: number): number {
  while (i < end && !isBlank(s.charCodeAt(i))) i++;
  return i;
}

/**
 * End of the metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or, with `label`, label name (no `:`)
 * starting at `i`: `i` when there is none. Reads at most `max` + 1 characters, so an overlong
 * name is found without reading it all.
 */
function scanName(s: string, i: number, end: number, label: boolean, max: number): number {
  const stop = Math.min(end, i + max + 1);
  let j = i;
  while (j < stop) {
    const c = s.charCodeAt(j);
    if (!(isLetter(c) || (!label && c === 0x3a) || (j > i && isDigit(c)))) break;
    j++;
  }
  return j;
}

/** Reads a name at `i`, failing on none or one longer than `max`; returns its end. */
function readName(s: string, i: number, end: number, line: number, label: boolean, max: number): number {
  const j = scanName(s, i, end, label, max);
  const what = label ? 'label name' : 'metric name';
  if (j === i) throw new TextFormatError(line, `expected a ${what} at ${clip(s.slice(i, Math.min(end, i + CONTEXT)))}`);
  if (j - i > max) {
    const setting = label ? 'INGEST_MAX_LABEL_NAME_LENGTH' : 'INGEST_MAX_NAME_LENGTH';
    throw new TextFormatError(line, `${what} longer than ${max} characters (${setting}), starting ${clip(s.slice(i, i + NAME_ECHO))}`);
  }
  return j;
}

/** `s[from..to)` with `\\`, `\n` (and in label values `\"`) unescaped, in one pass. */
function unescape(s: string, from: number, to: number, line: number, what: 'help' | 'label'): string {
  let out = '';
  let done = from;
  for (let i = s.indexOf('\\', from); i !== -1 && i < to; i = s.indexOf('\\', done)) {
    const c = i + 1 < to ? (s[i + 1] as string) : '';
    out += s.slice(done, i);
    if (c === 'n') out += '\n';
    else if (c === '\\' || (c === '"' && what === 'label')) out += c;
    // One character of input: bounded.
    else throw new TextFormatError(line, `invalid escape "\\${c}" in ${what === 'help' ? 'HELP text' : 'label value'}`);
    done = i + 2;
  }
  return out + s.slice(Math.min(done, to), to);
}

/** Reads `{a="1",b="2"}` starting at `s[i] === '{'`; returns the labels and where the rest of the line starts. */
function parseLabels(s: string, i: number, end: number, line: number, limits: TextLimits): { labels: Record<string, string>; next: number } {
  // Kept as pairs, then made one object: a label named `constructor` or `__proto__` becomes an
  // ordinary own key (Object.fromEntries defines, never assigns; validation refuses `__`).
  const pairs: Array<[string, string]> = [];
  let count = 0;
  i = skipBlanks(s, i + 1, end);
  while (s.charCodeAt(i) !== 0x7d /* } */) {
    const nameEnd = readName(s, i, end, line, true, limits.maxLabelNameLength);
    const name = s.slice(i, nameEnd);
    i = skipBlanks(s, nameEnd, end);
    if (s.charCodeAt(i) !== 0x3d /* = */) throw new TextFormatError(line, `expected "=" after label ${name}`);
    i = skipBlanks(s, i + 1, end);
    if (s.charCodeAt(i) !== 0x22 /* " */) throw new TextFormatError(line, `expected a quoted value for label ${name}`);
    let j = i + 1;
    let escaped = false;
    for (let c = s.charCodeAt(j); j < end && c !== 0x22; c = s.charCodeAt(j)) {
      if (c === 0x5c /* \ */) {
        escaped = true;
        j += 2;
      } else j++;
    }
    if (j >= end) throw new TextFormatError(line, `unterminated value for label ${name}`);
    if (++count <= limits.maxLabels + 1) {
      for (const [other] of pairs) if (other === name) throw new TextFormatError(line, `label ${name} appears twice`);
      pairs.push([name, escaped ? unescape(s, i + 1, j, line, 'label') : s.slice(i + 1, j)]);
    }
    i = skipBlanks(s, j + 1, end);
    const c = s.charCodeAt(i);
    if (c === 0x2c /* , */) i = skipBlanks(s, i + 1, end);
    else if (c !== 0x7d) throw new TextFormatError(line, `expected "," or "}" after label ${name}`);
  }
  return { labels: Object.fromEntries(pairs), next: i + 1 };
}

/** Reads the value and optional timestamp after a sample's name and labels. */
function parseFields(s: string, i: number, end: number, line: number, name: string): { value: number; timestamp?: number } {
  if (i < end && !isBlank(s.charCodeAt(i))) throw new TextFormatError(line, 'expected a space before the value');
  const valueStart = skipBlanks(s, i, end);
  const valueEnd = skipToken(s, valueStart, end);
  if (valueStart === valueEnd) throw new TextFormatError(line, `missing value for ${name}`);
  const timeStart = skipBlanks(s, valueEnd, end);
  const timeEnd = skipToken(s, timeStart, end);
  const extra = skipBlanks(s, timeEnd, end);
  if (extra < end) throw new TextFormatError(line, `unexpected text after the timestamp: ${clip(s.slice(extra, end))}`);
  // Lengths first: no number needs more than MAX_NUMBER_LENGTH characters, and nothing longer is parsed.
  const rawValue = s.slice(valueStart, Math.min(valueEnd, valueStart + MAX_NUMBER_LENGTH + 1));
  const value = parseSampleValue(rawValue);
  if (value === undefined) {
    throw new TextFormatError(line, valueEnd - valueStart > MAX_NUMBER_LENGTH ? `value longer than ${MAX_NUMBER_LENGTH} characters, starting ${clip(rawValue, CONTEXT)}` : `${clip(rawValue)} is not a number`);
  }
  if (timeStart === timeEnd) return { value };
  const rawTime = s.slice(timeStart, Math.min(timeEnd, timeStart + MAX_NUMBER_LENGTH + 1));
  const timestamp = parseMillis(rawTime);
  if (timestamp === undefined) {
    throw new TextFormatError(line, timeEnd - timeStart > MAX_NUMBER_LENGTH ? `timestamp longer than ${MAX_NUMBER_LENGTH} characters, starting ${clip(rawTime, CONTEXT)}` : `timestamp ${clip(rawTime)} is not an integer of milliseconds`);
  }
  return { value, timestamp };
}

/**
 * Strict parser of the Prometheus text exposition format (0.0.4, and the OpenMetrics `# EOF`
 * terminator). Any line it does not understand fails the whole body, naming the line. Linear in
 * the length of the text: each character is looked at a bounded number of times.
 */
export function parsePrometheusText(text: string, limits: TextLimits): TextExposition {
  const reading = readPrometheusText(text, limits);
  for (;;) {
    const step = reading.next();
    if (step.done) return step.value;
  }
}

// Lines read between two pauses of readPrometheusText.
const LINES_PER_TURN = 2_000;

/** parsePrometheusText, pausing (yielding) every LINES_PER_TURN lines, so a caller can let other work run between. */
export function* readPrometheusText(text: string, limits: TextLimits): Generator<void, TextExposition, void> {
  const samples: TextSample[] = [];
  const families = new Map<string, FamilyMeta>();
  const helpLines = new Map<string, number>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = {}));
    return f;
  };
  const sampled = new Set<string>();
  let line = 0;
  for (let start = 0; start <= text.length && samples.length < limits.stopAfter; ) {
    if (++line % LINES_PER_TURN === 0) yield;
    const newline = text.indexOf('\n', start);
    const lineEnd = newline === -1 ? text.length : newline;
    const s = text.slice(start, lineEnd);
    start = lineEnd + 1;
    let end = s.length;
    while (end > 0 && isBlank(s.charCodeAt(end - 1))) end--;
    const i = skipBlanks(s, 0, end);
    if (i === end) continue;
    if (s[i] === '#') {
      if (s.slice(i, end) === '# EOF') break;
      const comment = parseComment(s, i, end, line, limits);
      if (!comment) continue; // a plain comment
      const { keyword, name, arg } = comment;
      if (keyword === 'HELP') {
        if (family(name).help !== undefined) throw new TextFormatError(line, `second HELP line for ${name}`);
        family(name).help = unescape(arg, 0, arg.length, line, 'help');
        helpLines.set(name, line);
      } else {
        const type = TYPES.get(arg);
        if (!type) throw new TextFormatError(line, `unknown metric type ${clip(arg)}`);
        if (family(name).type) throw new TextFormatError(line, `second TYPE line for ${name}`);
        if (['', '_bucket', '_count', '_sum'].some((suffix) => sampled.has(name + suffix))) {
          throw new TextFormatError(line, `TYPE line for ${name} after its samples; it must come first`);
        }
        family(name).type = type;
      }
      continue;
    }
    const { cache } = limits;
    if (cache) {
      // `name{labels} value`: the text before the last blank run, seen before, is the same series.
      let blank = end;
      while (blank > i && !isBlank(s.charCodeAt(blank - 1))) blank--;
      let seriesEnd = blank;
      while (seriesEnd > i && isBlank(s.charCodeAt(seriesEnd - 1))) seriesEnd--;
      const known = seriesEnd > i ? cache.get(s.slice(i, seriesEnd)) : undefined;
      if (known) {
        const { value, timestamp } = parseFields(s, seriesEnd, end, line, known.name);
        sampled.add(known.name);
        samples.push({ name: known.name, labels: known.labels as Record<string, string>, value, timestamp, line });
        continue;
      }
    }
    const nameEnd = readName(s, i, end, line, false, limits.maxNameLength);
    const name = s.slice(i, nameEnd);
    let labels: Record<string, string> = {};
    let next = nameEnd;
    const brace = skipBlanks(s, nameEnd, end);
    if (s[brace] === '{') ({ labels, next } = parseLabels(s, brace, end, line, limits));
    const { value, timestamp } = parseFields(s, next, end, line, name);
    // Only a line without a timestamp is remembered: its series part is all but its last token.
    if (cache && timestamp === undefined) labels = cache.set(s.slice(i, next), name, labels) as Record<string, string>;
    sampled.add(name);
    samples.push({ name, labels, value, timestamp, line });
  }
  return { samples, families, helpLines };
}

/** `# HELP name text` or `# TYPE name type` from `s[i] === '#'`; undefined for any other comment. */
function parseComment(s: string, i: number, end: number, line: number, limits: TextLimits): { keyword: 'HELP' | 'TYPE'; name: string; arg: string } | undefined {
  const k = skipBlanks(s, i + 1, end);
  const keyword = s.startsWith('HELP', k) ? 'HELP' : s.startsWith('TYPE', k) ? 'TYPE' : undefined;
  if (!keyword || !(k + 4 < end && isBlank(s.charCodeAt(k + 4)))) return undefined;
  const nameStart = skipBlanks(s, k + 4, end);
  const nameEnd = skipToken(s, nameStart, end);
  if (nameEnd - nameStart > limits.maxNameLength) {
    throw new TextFormatError(line, `metric name longer than ${limits.maxNameLength} characters (INGEST_MAX_NAME_LENGTH), starting ${clip(s.slice(nameStart, nameStart + NAME_ECHO))}`);
  }
  const name = s.slice(nameStart, nameEnd);
  if (scanName(name, 0, name.length, false, limits.maxNameLength) !== name.length) throw new TextFormatError(line, `invalid metric name ${clip(name)}`);
  return { keyword, name, arg: s.slice(skipBlanks(s, nameEnd, end), end) };
}

/** The family a sample belongs to (`x` for `x_bucket` under `# TYPE x histogram`) and its role in it. */
export function familyOf(
  name: string,
  labels: Record<string, string>,
  families: Map<string, FamilyMeta>,
): { family: string; role: 'value' | 'bucket' | 'count' | 'sum' | 'quantile' } {
  for (const suffix of ['_bucket', '_count', '_sum'] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === 'histogram' || type === 'summary') return { family: base, role: suffix.slice(1) as 'bucket' | 'count' | 'sum' };
  }
  if (families.get(name)?.type === 'summary' && 'quantile' in labels) return { family: name, role: 'quantile' };
  return { family: name, role: 'value' };
}
