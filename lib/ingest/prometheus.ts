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
}

export class TextFormatError extends Error {
  override readonly name = 'TextFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Maps, not object literals: `constructor` or `toString` must not look like a known word.
const TYPES = new Map<string, MetricType>([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'untyped'],
  ['unknown', 'untyped'],
]);
const SPECIAL_VALUES = new Map<string, number>([
  ['NaN', NaN],
  ['+Inf', Infinity],
  ['Inf', Infinity],
  ['-Inf', -Infinity],
]);

/** Parses a value as the format allows: decimal or exponent floats, `NaN`, `+Inf`, `-Inf`. */
function parseValue(raw: string, line: number): number {
  if (FLOAT.test(raw)) return Number(raw);
  const special = SPECIAL_VALUES.get(raw);
  if (special !== undefined) return special;
  throw new TextFormatError(line, `${JSON.stringify(raw)} is not a number`);
}

function unescape(raw: string, line: number, what: 'help' | 'label'): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\') return '\\';
    if (c === '"' && what === 'label') return '"';
    throw new TextFormatError(line, `invalid escape "\\${c}" in ${what === 'help' ? 'HELP text' : 'label value'}`);
  });
}

/** Reads `{a="1",b="2"}` starting at `text[0] === '{'`; returns the labels and the rest of the line. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let s = text.slice(1).trimStart();
  while (!s.startsWith('}')) {
    const name = LABEL_NAME.exec(s)?.[0];
    if (!name) throw new TextFormatError(line, `expected a label name at ${JSON.stringify(s.slice(0, 20))}`);
    s = s.slice(name.length).trimStart();
    if (!s.startsWith('=')) throw new TextFormatError(line, `expected "=" after label ${name}`);
    s = s.slice(1).trimStart();
    if (!s.startsWith('"')) throw new TextFormatError(line, `expected a quoted value for label ${name}`);
    let i = 1;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) throw new TextFormatError(line, `unterminated value for label ${name}`);
    if (name in labels) throw new TextFormatError(line, `label ${name} appears twice`);
    labels[name] = unescape(s.slice(1, i), line, 'label');
    s = s.slice(i + 1).trimStart();
    if (s.startsWith(',')) s = s.slice(1).trimStart();
    else if (!s.startsWith('}')) throw new TextFormatError(line, `expected "," or "}" after label ${name}`);
  }
  return { labels: { ...labels }, rest: s.slice(1) };
}

/**
 * Strict parser of the Prometheus text exposition format (0.0.4, and the OpenMetrics `# EOF`
 * terminator). Any line it does not understand fails the whole body, naming the line.
 */
export function parsePrometheusText(text: string): TextExposition {
  const samples: TextSample[] = [];
  const families = new Map<string, FamilyMeta>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = {}));
    return f;
  };
  const sampled = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = (lines[i] as string).replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
      if (trimmed === '# EOF') break;
      if (!m) continue; // a plain comment
      const [, keyword, name = '', arg = ''] = m;
      if (!NAME.test(name) || NAME.exec(name)?.[0] !== name) throw new TextFormatError(line, `invalid metric name ${JSON.stringify(name)}`);
      if (keyword === 'HELP') {
        if (family(name).help !== undefined) throw new TextFormatError(line, `second HELP line for ${name}`);
        family(name).help = unescape(arg, line, 'help');
      } else {
        const type = TYPES.get(arg.trim());
        if (!type) throw new TextFormatError(line, `unknown metric type ${JSON.stringify(arg.trim())}`);
        if (family(name).type) throw new TextFormatError(line, `second TYPE line for ${name}`);
        if (['', '_bucket', '_count', '_sum'].some((suffix) => sampled.has(name + suffix))) {
          throw new TextFormatError(line, `TYPE line for ${name} after its samples; it must come first`);
        }
        family(name).type = type;
      }
      continue;
    }
    const name = NAME.exec(trimmed)?.[0];
    if (!name) throw new TextFormatError(line, `expected a metric name at ${JSON.stringify(trimmed.slice(0, 20))}`);
    let rest = trimmed.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.trimStart().startsWith('{')) ({ labels, rest } = parseLabels(rest.trimStart(), line));
    if (rest.length > 0 && !/^\s/.test(rest)) throw new TextFormatError(line, `expected a space before the value`);
    const fields = rest.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) throw new TextFormatError(line, `missing value for ${name}`);
    if (fields.length > 2) throw new TextFormatError(line, `unexpected text after the timestamp: ${JSON.stringify(fields.slice(2).join(' '))}`);
    const value = parseValue(fields[0] as string, line);
    let timestamp: number | undefined;
    if (fields[1] !== undefined) {
      if (!/^-?\d+$/.test(fields[1])) throw new TextFormatError(line, `timestamp ${JSON.stringify(fields[1])} is not an integer of milliseconds`);
      timestamp = Number(fields[1]);
    }
    sampled.add(name);
    samples.push({ name, labels, value, timestamp, line });
  }
  return { samples, families };
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
