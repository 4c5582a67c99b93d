import type { AlertCounts } from '../live/alert-states';
import { NavLink } from '../common/nav-link';

/** The header's alert count: firing by severity (and pending), a link to the alerts page. */
export function AlertCount({ counts, rules }: { counts: AlertCounts; rules: number }) {
  const { firing, pending, total } = counts;
  const parts = (['critical', 'warning', 'info'] as const).filter((s) => firing[s] > 0).map((s) => `${firing[s]} ${s}`);
  const quiet = rules === 0 ? 'No alert rules' : 'No alerts firing';
  const text = total > 0 ? `${total} firing: ${parts.join(', ')}` : pending > 0 ? `${pending} pending` : quiet;
  const level = firing.critical > 0 ? 'critical' : firing.warning > 0 ? 'warning' : total > 0 ? 'info' : pending > 0 ? 'pending' : 'none';
  return (
    <NavLink href="/alerts" className={`alert-count alert-${level}`} data-testid="alert-count" data-firing={total}>
      <span aria-hidden>{total > 0 ? '▲ ' : ''}</span>
      {text}
      {total > 0 && pending > 0 ? `, ${pending} pending` : ''}
    </NavLink>
  );
}
