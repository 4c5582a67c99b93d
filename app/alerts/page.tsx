import { headers } from 'next/headers';
import Link from 'next/link';
import { connection } from 'next/server';
import { dataView } from '@/lib/access';
import { accountOf, pageAdmitted, visibleAlerts } from '@/lib/api';
import { Account } from '@/components/controls/account';
import { AlertsRefresh } from '@/components/pages/alerts-refresh';
import { formatValue } from '@/lib/units';

export const metadata = { title: 'Alerts · Pulseboard' };

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
const panelHref = (query: string | undefined) => (query ? `/?query=${encodeURIComponent(query)}` : '/');

/** Current and recent alerts, the rules, the channels' deliveries and the silences (server-rendered, refreshed every evaluation). */
export default async function AlertsPage() {
  await connection();
  if (!(await pageAdmitted())) return null;
  const view = dataView(await headers());
  const status = visibleAlerts(view);
  const queries = new Map(status.rules.map((r) => [r.name, r.query]));
  const firing = status.alerts.filter((a) => a.state === 'firing').length;
  return (
    <div className="dashboard browser">
      <header className="topbar">
        <div className="brand">
          <Link href="/" className="back">
            ← Dashboard
          </Link>
          <h1>Alerts</h1>
          <Account account={accountOf(view)} />
        </div>
      </header>
      <main className="alerts-page">
        <AlertsRefresh everyMs={Math.max(2_000, view.env.ALERT_EVAL_INTERVAL)} />
        {status.configError && (
          <p className="filter-problem problem" role="alert" data-testid="alerts-config-error">
            {status.configError}
          </p>
        )}
        <p className="hint" data-testid="alerts-summary">
          {firing} firing, {status.alerts.length - firing} pending · {status.rules.length} {status.rules.length === 1 ? 'rule' : 'rules'}
          {status.evaluator ? ` · evaluated by ${status.evaluator}${status.evaluatedAt ? ` at ${time(status.evaluatedAt)}` : ''}` : ' · no instance is evaluating (Redis unreachable?)'}
        </p>
        <h2>Now</h2>
        {status.alerts.length === 0 ? (
          <p data-testid="no-alerts">Nothing is firing or pending.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="alerts-now">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Alert</th>
                  <th>Severity</th>
                  <th>Labels</th>
                  <th>Value</th>
                  <th>Since</th>
                  <th>Summary</th>
                </tr>
              </thead>
              <tbody>
                {status.alerts.map((a) => (
                  <tr key={`${a.rule} ${a.key}`} data-testid="alert-row" data-state={a.state} data-rule={a.rule}>
                    <td className={`state-${a.state}`}>
                      {a.state}
                      {a.silenced ? ' (silenced)' : ''}
                    </td>
                    <td>
                      <a href={panelHref(queries.get(a.rule))}>{a.rule}</a>
                    </td>
                    <td>{a.severity}</td>
                    <td>{labelText(a.labels) || '—'}</td>
                    <td>{a.value === null ? 'no data' : formatValue(a.value, 'none')}</td>
                    <td>{time(a.firedAt ?? a.activeAt)}</td>
                    <td>
                      {a.summary}
                      {a.runbook && (
                        <>
                          {' '}
                          <a href={a.runbook} rel="noreferrer">
                            runbook
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2>Recent transitions</h2>
        {status.recent.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="alerts-recent">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Alert</th>
                  <th>Became</th>
                  <th>Labels</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {status.recent.map((h) => (
                  <tr key={`${h.rule} ${h.key} ${h.at} ${h.transition}`}>
                    <td>{time(h.at)}</td>
                    <td>
                      <a href={panelHref(queries.get(h.rule))}>{h.rule}</a>
                    </td>
                    <td className={`state-${h.transition}`}>{h.transition}</td>
                    <td>{labelText(h.labels) || '—'}</td>
                    <td>{Number.isFinite(h.value) ? formatValue(h.value, 'none') : 'no data'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {status.channels.length > 0 && (
          <>
            <h2>Channels</h2>
            <div className="table-wrap">
              <table data-testid="alerts-channels">
                <thead>
                  <tr>
                    <th>Channel</th>
                    <th>Sent</th>
                    <th>Failed attempts</th>
                    <th>Retried</th>
                    <th>Given up</th>
                    <th>Waiting</th>
                    <th>Last error</th>
                  </tr>
                </thead>
                <tbody>
                  {status.channels.map((c) => (
                    <tr key={c.name} data-testid="channel-row" data-channel={c.name}>
                      <td>{c.name}</td>
                      <td>{c.sent}</td>
                      <td>{c.failed}</td>
                      <td>{c.retried}</td>
                      <td>{c.dropped}</td>
                      <td>{c.queued}</td>
                      <td className={c.lastError ? 'problem' : undefined}>{c.lastError ? `${c.lastError} (${time(c.lastErrorAt)})` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        {status.silences.length > 0 && (
          <>
            <h2>Silences</h2>
            <ul data-testid="alerts-silences">
              {status.silences.map((s) => (
                <li key={`${s.matchers} ${s.until}`}>
                  {s.matchers} until {time(s.until)} {s.active ? '(in force)' : '(not in force)'}
                  {s.comment ? ` — ${s.comment}` : ''}
                </li>
              ))}
            </ul>
          </>
        )}
        {status.rules.length > 0 && (
          <>
            <h2>Rules</h2>
            <div className="table-wrap">
              <table data-testid="alerts-rules">
                <thead>
                  <tr>
                    <th>Rule</th>
                    <th>Query</th>
                    <th>Fires</th>
                    <th>Severity</th>
                  </tr>
                </thead>
                <tbody>
                  {status.rules.map((r) => (
                    <tr key={r.name}>
                      <td>
                        <a href={panelHref(r.query)}>{r.name}</a>
                      </td>
                      <td>
                        <code>{r.query}</code>
                        {r.error && <p className="problem">{r.error}</p>}
                      </td>
                      <td>
                        {r.direction} {r.threshold}
                        {r.clear !== r.threshold ? `, clears ${r.direction === 'above' ? 'at or below' : 'at or above'} ${r.clear}` : ''}
                        {r.forMs > 0 ? `, for ${r.forMs / 1000} s` : ''}
                      </td>
                      <td>{r.severity}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </main>
    </div>
  );
}
