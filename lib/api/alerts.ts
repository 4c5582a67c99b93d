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
  const status = getRuntime().alerts.status();
  if (!view.scope) return status;
  const alerts = status.alerts.filter((a) => view.visible(a.series));
  const keys = new Set(alerts.map((a) => `${a.rule}\n${a.key}`));
  return {
    ...status,
    configError: null,
    file: null,
    rules: [],
    channels: [],
    silences: [],
    alerts,
    recent: status.recent.filter((h) => keys.has(`${h.rule}\n${h.key}`)),
  };
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
  if (identity.kind === 'anonymous' || !identity.roles.includes('write')) {
    if (env.AUTH !== 'none') throw new HttpError(401, 'authentication required: an unscoped write token or user edits the alert rules', [], { 'WWW-Authenticate': 'Bearer realm="pulseboard"' });
    authorize(request.headers, env.INGEST_TOKEN, addressMatcher(env.INGEST_ALLOW_FROM), env.INGEST_ALLOW_FROM);
    return;
  }
  if (identity.scope !== null) throw new HttpError(403, `${identity.kind} ${JSON.stringify(identity.name)} has a scope; the alert rules apply to every series and hold the channels' secrets: an unscoped identity with the write role edits them`);
}

/** `GET /api/alerts/rules`: ALERTS_FILE as it is (JSON). */
export function alertRulesFile(request: Request): Response {
  mayEdit(request);
  return new Response(getRuntime().alerts.fileText(), { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' } });
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
    const config = getRuntime().alerts.replaceFile(text);
    return Response.json({ rules: config.rules.length, channels: config.channels.length, silences: config.silences.length }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (err) {
    if (AlertsConfigError.is(err)) throw new HttpError(422, 'invalid alert rules', [{ path: 'body', message: err.message }]);
    throw err;
  }
}
