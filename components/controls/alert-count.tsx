import type { AlertCounts } from '../live/alert-states';
import { NavLink } from '../common/nav-link';

/**
 * The header's alert count, a link to the alerts page: firing alerts by severity, else pending
 * ones, else "0 firing". Short, so the header stays on one line on a wide screen, paused or live;
 * nothing at all while there are no alert rules.
 */
export function AlertCount({ counts, rules }: { counts: AlertCounts; rules: number }) {
  const { firing, pending, total } = counts;
  if (rules === 0 && total === 0 && pending === 0) return null;
  const parts = (['critical', 'warning', 'info'] as const).filter((s) => firing[s] > 0).map((s) => `${firing[s]} ${s}`);
  const level = firing.critical > 0 ? 'critical' : firing.warning > 0 ? 'warning' : total > 0 ? 'info' : pending > 0 ? 'pending' : 'none';
  return (
    <NavLink href="/alerts" className={`alert-count alert-${level}`} data-testid="alert-count" data-firing={total} data-pending={pending}>
      {total > 0 ? (
        <>
          <span aria-hidden>▲ </span>
          {parts.join(', ')}
          <span className="visually-hidden"> firing</span>
        </>
      ) : pending > 0 ? (
        `${pending} pending`
      ) : (
        '0 firing'
      )}
    </NavLink>
  );
}
