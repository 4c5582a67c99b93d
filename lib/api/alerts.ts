import 'server-only';
import { identityOf, type DataView } from '@/lib/access';
import { AlertsConfigError, MAX_FILE_BYTES, type AlertsStatus } from '@/lib/alerts';
import { addressMatcher, HttpError } from '@/lib/http';
import { authorize } from '@/lib/ingest/auth';
import { readBody } from '@/lib/ingest/body';
import { getRuntime } from '@/lib/runtime';

/**
 * What a view may see of the alerts: everything for an unscoped identity; for a scoped one only
 * the alerts (and recent transitions) whose ALERTS series is within its scope, and none of the
 * operator's configuration (rules' queries, channels, silences).
 */
export function visibleAlerts(view: Pick<DataView, 'scope' | 'visible'>): AlertsStatus {
  const status = cut(getRuntime().alerts.status());
  if (!view.scope) return status;
  const alerts = status.alerts.filter((a) => view.visible(a.series));
  const keys = new Set(alerts.map((a) => `${a.rule}\n${a.key}`));
  return {
    ...status,
    // The instance's name is a label value of the host's series: not shown to a scoped viewer.
    evaluator: null,
    configError: null,
    file: null,
    rules: [],
    channels: [],
    silences: [],
    alerts,
    recent: status.recent.filter((h) => keys.has(`${h.rule}\n${h.key}`)),
  };
}

/** Most alerts one answer (and the alerts page) lists; past it the answer says how many there are. */
export const MAX_LISTED = 1_000;

function cut(status: AlertsStatus): AlertsStatus & { cut?: string } {
  if (status.alerts.length <= MAX_LISTED) return status;
  return { ...status, alerts: status.alerts.slice(0, MAX_LISTED), cut: `${status.alerts.length} alerts, the first ${MAX_LISTED} listed (firing first, then by severity)` };
}

/** `GET /api/alerts`: current alerts, recent transitions, rules, channels' delivery state and silences. */
export function alertsResponse(view: DataView): Response {
  return Response.json(visibleAlerts(view), { headers: { 'Cache-Control': 'no-store' } });
}

/**
 * The rules file holds channels' secrets and headers: only an unscoped identity with the write
 * role reads or writes it; under AUTH=none, whoever may ingest (INGEST_TOKEN, INGEST_ALLOW_FROM).
 */
function mayEdit(request: Request): void {
  const { env } = getRuntime();
  const identity = identityOf(request.headers);
  // INGEST_TOKEN is a producer's key: it writes metrics, not the rules (and their secrets).
  if (identity.kind === 'token' && identity.name === 'INGEST_TOKEN') throw new HttpError(403, 'INGEST_TOKEN writes metrics only; the alert rules need a write token or user of the auth file (npm run pulseboard -- token add NAME --role write)');
  if (identity.kind === 'anonymous' || !identity.roles.includes('write')) {
    if (env.AUTH !== 'none') throw new HttpError(401, 'authentication required: an unscoped write token or user edits the alert rules', [], { 'WWW-Authenticate': 'Bearer realm="pulseboard"' });
    // AUTH=none: from the addresses ingest takes without a token (loopback by default), never with INGEST_TOKEN.
    authorize(request.headers, undefined, addressMatcher(env.INGEST_ALLOW_FROM), env.INGEST_ALLOW_FROM);
    return;
  }
  if (identity.scope !== null) throw new HttpError(403, `${identity.kind} ${JSON.stringify(identity.name)} has a scope; the alert rules apply to every series and hold the channels' secrets: an unscoped identity with the write role edits them`);
}

/** What a channel's secret and header values read as through the API; sent back as is, the value in the file is kept. */
export const HIDDEN = '<hidden>';

type Channels = { channels?: Array<{ name?: unknown; secret?: unknown; headers?: Record<string, unknown> }> };

/** The file with every channel's secret and header values hidden, or the text as it is when it is not JSON of the file's shape. */
function redacted(text: string): string {
  let json: Channels;
  try {
    json = JSON.parse(text) as Channels;
  } catch {
    return text.length > 0 ? '{ "rules": [], "channels": [], "silences": [] }\n' : text;
  }
  if (!Array.isArray(json?.channels)) return text;
  for (const c of json.channels) {
    if (c && typeof c === 'object') {
      if (c.secret !== undefined) c.secret = HIDDEN;
      if (c.headers && typeof c.headers === 'object') for (const k of Object.keys(c.headers)) c.headers[k] = HIDDEN;
    }
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** A new file's hidden values (as GET gave them) put back from the file in force, channel by name. */
function unhidden(text: string, current: string): string {
  if (!text.includes(HIDDEN)) return text;
  let next: Channels;
  let now: Channels;
  try {
    next = JSON.parse(text) as Channels;
    now = JSON.parse(current) as Channels;
  } catch {
    return text;
  }
  if (!Array.isArray(next?.channels)) return text;
  const before = new Map((Array.isArray(now?.channels) ? now.channels : []).map((c) => [c?.name, c]));
  for (const c of next.channels) {
    const old = before.get(c?.name);
    if (!c || typeof c !== 'object') continue;
    // A channel new in the file keeps `<hidden>`, and is refused for it (a secret is 16 characters at least).
    if (c.secret === HIDDEN && old?.secret !== undefined) c.secret = old.secret;
    if (c.headers && typeof c.headers === 'object') for (const k of Object.keys(c.headers)) if (c.headers[k] === HIDDEN && old?.headers?.[k] !== undefined) c.headers[k] = old.headers[k];
  }
  return JSON.stringify(next, null, 2);
}

/** `GET /api/alerts/rules`: ALERTS_FILE, its channels' secrets and header values hidden. */
export function alertRulesFile(request: Request): Response {
  mayEdit(request);
  return new Response(redacted(getRuntime().alerts.fileText()), { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** `PUT /api/alerts/rules`: a whole ALERTS_FILE, checked, written and put in force at once; refused 422 naming the rule and field. */
export async function replaceAlertRules(request: Request): Promise<Response> {
  mayEdit(request);
  let text: string;
  try {
    text = await readBody(request, MAX_FILE_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) throw new HttpError(413, `body larger than ${MAX_FILE_BYTES} bytes (the largest ALERTS_FILE read)`, [], { Connection: 'close' });
    throw err;
  }
  try {
    const { alerts } = getRuntime();
    const config = alerts.replaceFile(unhidden(text, alerts.fileText()));
    return Response.json({ rules: config.rules.length, channels: config.channels.length, silences: config.silences.length }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (err) {
    if (AlertsConfigError.is(err)) throw new HttpError(422, 'invalid alert rules', [{ path: 'body', message: err.message }]);
    throw err;
  }
}
