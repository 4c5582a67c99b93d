import { z } from 'zod';
import { compileSelector, parseQuery, QueryError, selectorsOf, type CompiledSelector, type QueryNode } from '@/lib/query';
import { querySchema } from '@/lib/schema/query';
import { durationSchema, httpHeadersSchema } from '@/lib/schema';

/*
 * ALERTS_FILE (default `$DATA_DIR/alerts.json`): rules, the channels they notify and silences,
 * checked whole by zod; an error names the rule (or channel, silence) and the field. docs/alerts.md
 * is the reference.
 */

/** Most rules, channels and silences one file holds. */
export const MAX_RULES = 2_000;
export const MAX_CHANNELS = 100;
export const MAX_SILENCES = 1_000;
/** Largest ALERTS_FILE read (and `PUT /api/alerts/rules` body taken). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Characters of a query, as QUERY_MAX_LENGTH's default. */
const QUERY_MAX = 4_096;
/** Most matchers and `by` labels of a rule's query. */
const QUERY_TERMS = 64;
/** Furthest ahead a silence may end: every silence expires. */
export const MAX_SILENCE_MS = 366 * 24 * 3_600_000;

const CONFIG_ERROR = Symbol.for('pulseboard.alertsConfigError');

export class AlertsConfigError extends Error {
  override readonly name = 'AlertsConfigError';
  readonly [CONFIG_ERROR] = true;

  /** The runtime lives in the instrumentation hook's module graph, route handlers in another: `instanceof` across them is false, the brand is not. */
  static is(err: unknown): err is AlertsConfigError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CONFIG_ERROR] === true;
  }
}

const NAME = /^[A-Za-z_][\w.:-]{0,127}$/;
const LABEL_NAME = /^[A-Za-z_]\w{0,127}$/;
const duration = (min: number, max: number) => z.string().max(32).pipe(durationSchema({ min, max }));
/** Whether a text holds a control character other than tab and line feed. */
const hasControl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
};
const text = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !hasControl(s), 'no control characters but tab and line feed');
const httpUrl = z
  .string()
  .max(2_048)
  .refine((raw) => {
    try {
      const u = new URL(raw);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'an http:// or https:// URL without credentials in it (put them in headers)');

const ruleSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'a rule name: letters, digits, _ . : -, at most 128, not starting with a digit'),
    query: querySchema({ maxLength: QUERY_MAX, maxTerms: QUERY_TERMS }),
    window: duration(0, 24 * 3_600_000).default(30_000),
    reduce: z.enum(['mean', 'last', 'min', 'max']).default('mean'),
    above: z.number().finite().optional(),
    below: z.number().finite().optional(),
    clearBelow: z.number().finite().optional(),
    clearAbove: z.number().finite().optional(),
    for: duration(0, 7 * 24 * 3_600_000).default(0),
    keepFiringFor: duration(0, 7 * 24 * 3_600_000).default(0),
    noData: z.enum(['ok', 'alerting', 'keep']).default('ok'),
    severity: z.enum(['critical', 'warning', 'info']).default('warning'),
    summary: text(1_024).optional(),
    runbook: httpUrl.optional(),
    labels: z.record(z.string().regex(LABEL_NAME, 'a label name').refine((n) => !n.startsWith('__') && n !== 'alertname' && n !== 'alertstate' && n !== 'severity', 'alertname, alertstate and severity are set by Pulseboard'), z.string().max(256)).optional(),
    notify: z.array(z.string().regex(NAME, 'a channel name')).max(16).default([]),
    repeat: duration(1_000, 30 * 24 * 3_600_000).default(4 * 3_600_000),
  })
  .superRefine((rule, ctx) => {
    const directions = (rule.above !== undefined ? 1 : 0) + (rule.below !== undefined ? 1 : 0);
    if (directions !== 1) ctx.addIssue({ code: 'custom', path: ['above'], message: 'give exactly one of above and below' });
    if (rule.above !== undefined) {
      if (rule.clearAbove !== undefined) ctx.addIssue({ code: 'custom', path: ['clearAbove'], message: 'goes with below; a rule with above clears with clearBelow' });
      if (rule.clearBelow !== undefined && rule.clearBelow > rule.above) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: `must be at most above (${rule.above})` });
    }
    if (rule.below !== undefined) {
      if (rule.clearBelow !== undefined) ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'goes with above; a rule with below clears with clearAbove' });
      if (rule.clearAbove !== undefined && rule.clearAbove < rule.below) ctx.addIssue({ code: 'custom', path: ['clearAbove'], message: `must be at least below (${rule.below})` });
    }
  });

const channelSchema = z.strictObject({
  name: z.string().regex(NAME, 'a channel name: letters, digits, _ . : -, at most 128'),
  type: z.literal('webhook'),
  url: httpUrl,
  /** Signs each body: `X-Pulseboard-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  secret: z.string().min(16, 'at least 16 characters').max(1_024).optional(),
  headers: httpHeadersSchema.optional(),
  timeout: duration(100, 60_000).default(10_000),
});

const silenceSchema = z.strictObject({
  matchers: z.string().min(1).max(QUERY_MAX),
  starts: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }),
  comment: text(1_024).optional(),
});

const fileSchema = z.strictObject({
  rules: z.array(ruleSchema).max(MAX_RULES).default([]),
  channels: z.array(channelSchema).max(MAX_CHANNELS).default([]),
  silences: z.array(silenceSchema).max(MAX_SILENCES).default([]),
});

/** A rule as checked: durations in ms, the query parsed. */
export interface Rule extends Omit<z.infer<typeof ruleSchema>, 'query'> {
  query: QueryNode;
  /** The query as written in the file. */
  queryText: string;
  /** The metric names (or globs) the query reads: panels of them show the threshold. */
  reads: string[];
  /** The threshold crossed to fire, and the one crossed back to clear. */
  direction: 'above' | 'below';
  threshold: number;
  clear: number;
}

export type Channel = z.infer<typeof channelSchema>;

export interface Silence {
  matchers: string;
  selector: CompiledSelector;
  starts: number;
  until: number;
  comment?: string;
}

export interface AlertsConfig {
  rules: Rule[];
  channels: Channel[];
  silences: Silence[];
}

export const EMPTY_CONFIG: AlertsConfig = { rules: [], channels: [], silences: [] };

/** Where an issue is, in words: `rule 2 ("HighCpu"), for`. */
function where(json: unknown, path: readonly PropertyKey[]): string {
  const [list, index, ...field] = path;
  if (typeof list !== 'string' || typeof index !== 'number') return path.length > 0 ? path.join('.') : 'the file';
  const entry = (json as Record<string, Array<{ name?: unknown }> | undefined>)[list]?.[index];
  const kind = list === 'rules' ? 'rule' : list === 'channels' ? 'channel' : 'silence';
  const named = entry && typeof entry.name === 'string' ? ` (${JSON.stringify(entry.name.slice(0, 64))})` : '';
  return `${kind} ${index + 1}${named}${field.length > 0 ? `, ${field.join('.')}` : ''}`;
}

function silenceSelector(matchers: string, at: string): CompiledSelector {
  const trimmed = matchers.trim();
  const inner = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  try {
    const node = parseQuery(`ALERTS{${inner}}`);
    if (node.kind !== 'selector' || node.rate) throw new QueryError('not label matchers', 0);
    return compileSelector(node);
  } catch (err) {
    if (err instanceof QueryError) throw new AlertsConfigError(`${at}, matchers: ${JSON.stringify(matchers.slice(0, 120))} are not label matchers such as instance="db1",alertname="HighCpu" (${err.message})`);
    throw err;
  }
}

/** An ALERTS_FILE's text checked; throws AlertsConfigError naming the rule, channel or silence and the field. */
export function parseAlerts(source: string, file: string, now = Date.now()): AlertsConfig {
  if (source.length > MAX_FILE_BYTES) throw new AlertsConfigError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    // V8's message quotes the text around the fault, which may be a channel's secret: the position alone.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new AlertsConfigError(`${file}: not JSON${at !== undefined ? ` (at character ${at})` : ''}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const why = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new AlertsConfigError(`${file}: ${where(json, issue.path)}: ${why}`);
  }
  const { rules, channels, silences } = parsed.data;
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    if (seen.has(r.name)) throw new AlertsConfigError(`${file}: rule ${i + 1} (${JSON.stringify(r.name)}), name: another rule has this name`);
    seen.add(r.name);
  }
  const channelNames = new Set<string>();
  for (const [i, c] of channels.entries()) {
    if (channelNames.has(c.name)) throw new AlertsConfigError(`${file}: channel ${i + 1} (${JSON.stringify(c.name)}), name: another channel has this name`);
    channelNames.add(c.name);
  }
  for (const [i, r] of rules.entries()) {
    const missing = r.notify.find((n) => !channelNames.has(n));
    if (missing) throw new AlertsConfigError(`${file}: rule ${i + 1} (${JSON.stringify(r.name)}), notify: no channel is named ${JSON.stringify(missing)}`);
  }
  const rawRules = (json as { rules?: Array<{ query?: unknown }> }).rules ?? [];
  return {
    rules: rules.map((r, i) => ({
      ...r,
      queryText: String(rawRules[i]?.query ?? ''),
      reads: [...new Set(selectorsOf(r.query).map((s) => s.name))],
      direction: r.above !== undefined ? 'above' : 'below',
      threshold: r.above ?? r.below!,
      clear: r.above !== undefined ? (r.clearBelow ?? r.above) : (r.clearAbove ?? r.below!),
    })),
    channels,
    silences: silences.map((s, i) => {
      const at = `${file}: silence ${i + 1}`;
      const until = Date.parse(s.until);
      if (until > now + MAX_SILENCE_MS) throw new AlertsConfigError(`${at}, until: more than a year ahead; every silence expires, renew it when it does`);
      return { matchers: s.matchers, selector: silenceSelector(s.matchers, at), starts: s.starts ? Date.parse(s.starts) : 0, until, ...(s.comment !== undefined && { comment: s.comment }) };
    }),
  };
}
