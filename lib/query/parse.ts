// Client-safe (no zod): the dashboard parses the query it shows in a panel's title with it; the
// API checks the result against lib/schema/query.ts.
import { compileGlob, type GlobMatcher } from '@/lib/series/glob';

/*
 * Pulseboard's query grammar, one for panels, URLs, the API (and later scopes and alert rules):
 *
 *   query     = aggregate | rank | selector
 *   aggregate = op [ "by" "(" labels ")" ] "(" query ")" [ "by" "(" labels ")" ]
 *   op        = "sum" | "avg" | "min" | "max" | "count"
 *   rank      = ( "topk" | "bottomk" ) "(" integer "," query [ "," ( "mean" | "last" ) ] ")"
 *   selector  = "rate" "(" selector ")" | name [ "{" [ matcher { "," matcher } ] "}" ]
 *   matcher   = label ( "=" | "!=" | "=~" | "!~" ) string
 *   labels    = [ label { "," label } ]
 *
 * A name is a metric name, or a glob of one (`node_cpu_*`); `=~` and `!~` match a label's value
 * against a glob (`*` any run, `?` one character), never a RegExp: every query is matched in
 * time linear in what it is matched against (lib/series/glob.ts). Strings are double-quoted with
 * `\"`, `\\` and `\n` escapes. Counters are drawn as per-second rates whether or not `rate(…)`
 * says so; `rate(…)` of a gauge is its per-second change. `topk`/`bottomk` rank by the window's
 * mean, or by each line's last value with `last`. Parsing is one pass over the text, its nesting
 * bounded by MAX_DEPTH.
 */

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type RankOp = 'topk' | 'bottomk';
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface SelectorNode {
  kind: 'selector';
  /** A metric name or a glob of one. */
  name: string;
  matchers: Matcher[];
  /** Written as `rate(…)`: a gauge becomes its per-second change (a counter is a rate anyway). */
  rate: boolean;
}

export interface AggregateNode {
  kind: 'aggregate';
  op: AggregateOp;
  /** Labels the lines are grouped by; none: one line. */
  by: string[];
  of: QueryNode;
}

export interface RankNode {
  kind: 'rank';
  op: RankOp;
  n: number;
  /** What lines are ranked by over the window shown. */
  by: 'mean' | 'last';
  of: QueryNode;
}

export type QueryNode = SelectorNode | AggregateNode | RankNode;

/** Deepest nesting of aggregations and ranks a query may have. */
export const MAX_DEPTH = 8;
/** Most lines `topk`/`bottomk` may keep. */
export const MAX_RANK = 1_000;

const AGGREGATES: readonly string[] = ['sum', 'avg', 'min', 'max', 'count'];
const RANKS: readonly string[] = ['topk', 'bottomk'];

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    /** Where in the text (UTF-16 units from 0) the problem is. */
    readonly at: number,
  ) {
    super(message);
  }
}

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
const isNamePart = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** What a message quotes of the text found: its start, as the text may be long. */
function shown(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  fail(message: string, at = this.at): never {
    throw new QueryError(`${message} at character ${at + 1}`, at);
  }

  skipSpace(): void {
    while (this.at < this.text.length && isSpace(this.text.charCodeAt(this.at))) this.at++;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.at] ?? '';
  }

  expect(token: string): void {
    this.skipSpace();
    if (!this.text.startsWith(token, this.at)) {
      this.fail(`expected ${JSON.stringify(token)}, found ${this.at >= this.text.length ? 'the end' : shown(this.text.slice(this.at, this.at + 8))}`);
    }
    this.at += token.length;
  }

  /** A name: metric-name characters, and with `globs` also `*` and `?`. */
  word(what: string, globs = false): string {
    this.skipSpace();
    const start = this.at;
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (isNamePart(c) || (globs && (c === 42 || c === 63))) this.at++;
      else break;
    }
    const word = this.text.slice(start, this.at);
    if (word === '') this.fail(`expected ${what}, found ${this.at >= this.text.length ? 'the end' : shown(this.text.slice(this.at, this.at + 8))}`);
    if (!globs && !isNameStart(word.charCodeAt(0))) this.fail(`${what} ${shown(word)} must not start with a digit`, start);
    return word;
  }

  label(): string {
    this.skipSpace();
    const start = this.at;
    const label = this.word('a label name');
    if (label.includes(':')) this.fail(`label name ${shown(label)} must not contain ":"`, start);
    return label;
  }

  string(): string {
    this.skipSpace();
    if (this.text[this.at] !== '"') this.fail('expected a double-quoted string');
    let out = '';
    for (let i = this.at + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '"') {
        this.at = i + 1;
        return out;
      }
      if (c === '\\') {
        const next = this.text[++i];
        if (next === 'n') out += '\n';
        else if (next === '"' || next === '\\') out += next;
        else this.fail('unknown escape in string (use \\", \\\\ or \\n)', i - 1);
      } else out += c;
    }
    return this.fail('string is not closed', this.at);
  }

  integer(): number {
    this.skipSpace();
    const start = this.at;
    while (this.at < this.text.length && this.text.charCodeAt(this.at) >= 48 && this.text.charCodeAt(this.at) <= 57) this.at++;
    const digits = this.text.slice(start, this.at);
    if (digits === '') this.fail('expected a whole number');
    const n = Number(digits);
    if (n < 1 || n > MAX_RANK) this.fail(`${digits} lines: topk and bottomk keep 1 to ${MAX_RANK}`, start);
    return n;
  }

  labels(): string[] {
    this.expect('(');
    const out: string[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        const l = this.label();
        if (!out.includes(l)) out.push(l);
        if (this.peek() !== ',') break;
        this.expect(',');
      }
    }
    this.expect(')');
    return out;
  }

  query(depth: number): QueryNode {
    if (depth > MAX_DEPTH) this.fail(`more than ${MAX_DEPTH} nested aggregations`);
    this.skipSpace();
    const start = this.at;
    const word = this.word('a metric name or an aggregation', true);
    const next = this.peek();
    if (AGGREGATES.includes(word) && (next === '(' || this.keyword('by'))) {
      let by: string[] | undefined;
      if (next !== '(') by = this.labels();
      this.expect('(');
      const of = this.query(depth + 1);
      this.expect(')');
      if (by === undefined && this.keyword('by')) by = this.labels();
      return { kind: 'aggregate', op: word as AggregateOp, by: by ?? [], of };
    }
    if (RANKS.includes(word) && next === '(') {
      this.expect('(');
      const n = this.integer();
      this.expect(',');
      const of = this.query(depth + 1);
      let by: 'mean' | 'last' = 'mean';
      if (this.peek() === ',') {
        this.expect(',');
        this.skipSpace();
        const at = this.at;
        const what = this.word('mean or last');
        if (what !== 'mean' && what !== 'last') this.fail(`${word} ranks by mean or last, not ${shown(what)}`, at);
        by = what;
      }
      this.expect(')');
      return { kind: 'rank', op: word as RankOp, n, by, of };
    }
    if (word === 'rate' && next === '(') {
      this.expect('(');
      this.skipSpace();
      const at = this.at;
      const inner = this.selector(this.word('a metric name', true), at);
      this.expect(')');
      return { ...inner, rate: true };
    }
    return this.selector(word, start);
  }

  /** True (and past it) when the keyword comes next as a whole word. */
  keyword(word: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(word, this.at)) return false;
    const after = this.text.charCodeAt(this.at + word.length);
    if (isNamePart(after)) return false;
    this.at += word.length;
    return true;
  }

  selector(name: string, start: number): SelectorNode {
    if (!isNameStart(name.charCodeAt(0)) && name[0] !== '*' && name[0] !== '?') this.fail(`metric name ${shown(name)} must not start with a digit`, start);
    const matchers: Matcher[] = [];
    if (this.peek() === '{') {
      this.expect('{');
      if (this.peek() !== '}') {
        for (;;) {
          const label = this.label();
          this.skipSpace();
          const two = this.text.slice(this.at, this.at + 2);
          const op: MatchOp = two === '!=' || two === '=~' || two === '!~' ? two : '=';
          this.expect(op);
          matchers.push({ label, op, value: this.string() });
          if (this.peek() !== ',') break;
          this.expect(',');
        }
      }
      this.expect('}');
    }
    return { kind: 'selector', name, matchers, rate: false };
  }
}

/** Parses a query, or throws a QueryError naming what is wrong and where. Callers bound the text's length first. */
export function parseQuery(text: string): QueryNode {
  const parser = new Parser(text);
  if (parser.peek() === '') throw new QueryError('the query is empty', 0);
  const node = parser.query(0);
  if (parser.peek() !== '') parser.fail(`unexpected ${shown(text.slice(parser.at, parser.at + 8))} after the query`);
  return node;
}

/** A string as the grammar writes it: `\\`, `"` and newline escaped, nothing else (a tab stays a tab). */
function quote(value: string): string {
  let out = '"';
  for (const c of value) out += c === '\\' ? '\\\\' : c === '"' ? '\\"' : c === '\n' ? '\\n' : c;
  return `${out}"`;
}

/** The query as text, in the canonical form parseQuery reads back to the same tree. */
export function formatQuery(node: QueryNode): string {
  switch (node.kind) {
    case 'selector': {
      const matchers = node.matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ');
      const selector = matchers ? `${node.name}{${matchers}}` : node.name;
      return node.rate ? `rate(${selector})` : selector;
    }
    case 'aggregate':
      return `${node.op}${node.by.length > 0 ? ` by (${node.by.join(', ')})` : ''} (${formatQuery(node.of)})`;
    case 'rank':
      return `${node.op}(${node.n}, ${formatQuery(node.of)}${node.by === 'last' ? ', last' : ''})`;
  }
}

/** The selectors a query reads, leftmost first. */
export function selectorsOf(node: QueryNode): SelectorNode[] {
  return node.kind === 'selector' ? [node] : selectorsOf(node.of);
}

/** A selector compiled to test series: by name (a glob when it holds `*` or `?`) and labels. */
export interface CompiledSelector {
  matches(name: string, labels: Readonly<Record<string, string>>): boolean;
  /** At most how many steps (lib/series/glob.ts) it takes per character of a series key. */
  readonly cost: number;
}

export function compileSelector(selector: SelectorNode): CompiledSelector {
  const name: GlobMatcher = compileGlob(selector.name);
  const tests = selector.matchers.map((m) => {
    const glob = m.op === '=~' || m.op === '!~' ? compileGlob(m.value) : null;
    const negate = m.op === '!=' || m.op === '!~';
    // An absent label is the empty string, as in Prometheus: `{pod!="x"}` keeps series without a
    // pod. `__name__` is the metric name.
    const test = (name: string, labels: Readonly<Record<string, string>>) => {
      const value = m.label === '__name__' ? name : Object.hasOwn(labels, m.label) ? (labels[m.label] ?? '') : '';
      return (glob ? glob(value) : value === m.value) !== negate;
    };
    return { test, cost: glob?.cost ?? 1 };
  });
  return {
    matches: (n, labels) => name(n) && tests.every((t) => t.test(n, labels)),
    cost: name.cost + tests.reduce((c, t) => c + t.cost, 0),
  };
}

/** The selector a metric page's `?match=` names: `name{…}` from matchers written with or without their braces. */
export function matchersQuery(name: string, matchers: string): string {
  const text = matchers.trim();
  const inner = text.startsWith('{') && text.endsWith('}') ? text.slice(1, -1) : text;
  return `${name}{${inner}}`;
}
