import type { ConnectionStatus } from './live-store';
import { formatClock } from './format-time';

const TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
};

interface StatusBadgeProps {
  status: ConnectionStatus;
  attempt: number;
  lastUpdate: number | null;
  hydrated: boolean;
}

/** Connection state and the time of the newest data, announced politely to screen readers. */
export function StatusBadge({ status, attempt, lastUpdate, hydrated }: StatusBadgeProps) {
  return (
    <div className="status" data-status={status} role="status" aria-live="polite">
      <span className="status-dot" aria-hidden />
      <span className="status-text" data-testid="status">
        {TEXT[status]}
        {status === 'reconnecting' && attempt > 1 ? ` (attempt ${attempt})` : ''}
      </span>
      {lastUpdate !== null && (
        <span className="status-time" data-testid="last-update">
          updated {formatClock(lastUpdate, hydrated)}
        </span>
      )}
    </div>
  );
}
