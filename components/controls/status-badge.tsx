import type { ConnectionStatus } from '../live/live-store';
import type { BusNotice } from '@/lib/wire';
import { formatClock } from '../common/format-time';

const TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting',
  'catching-up': 'Catching up',
  live: 'Live',
  reconnecting: 'Reconnecting',
  'signed-out': 'Signed out',
};

// How long "missed data, reloaded" stays on screen.
const NOTICE_MS = 30_000;

interface StatusBadgeProps {
  status: ConnectionStatus;
  attempt: number;
  lastUpdate: number | null;
  resetAt: number | null;
  hydrated: boolean;
  /** While not `up`, the server's message that new points are delayed (Redis unreachable). */
  bus?: BusNotice;
}

/** Between the state and a notice: read as a pause ("Live, missed data, reloaded"), not seen (the badge spaces them). */
function Separator() {
  return <span className="visually-hidden">, </span>;
}

/**
 * Connection state and the time of the newest data. Only the connection state and the
 * notices are a live region: a screen reader hears the changes, not every tick.
 */
export function StatusBadge({ status, attempt, lastUpdate, resetAt, hydrated, bus }: StatusBadgeProps) {
  const reloaded = resetAt !== null && lastUpdate !== null && lastUpdate - resetAt < NOTICE_MS;
  return (
    <div className="status" data-status={status} data-bus={bus?.state ?? 'up'}>
      <span className="status-dot" aria-hidden />
      <span role="status" aria-live="polite" aria-label="Connection" className="status-live">
        <span className="status-text" data-testid="status">
          {TEXT[status]}
          {status === 'reconnecting' ? ` (attempt ${attempt})` : ''}
        </span>
        {bus && bus.state !== 'up' && status === 'live' && (
          <span className="status-notice" data-testid="bus-notice">
            <Separator />
            {bus.message ?? 'new points are delayed'}
          </span>
        )}
        {bus?.storage && (
          <span className="status-notice" data-testid="storage-notice">
            <Separator />
            {bus.storage}
          </span>
        )}
        {reloaded && (
          <span className="status-notice" data-testid="status-notice">
            <Separator />
            missed data, reloaded
          </span>
        )}
      </span>
      {lastUpdate !== null && (
        <span className="status-time" data-testid="last-update">
          updated {formatClock(lastUpdate, hydrated)}
        </span>
      )}
    </div>
  );
}
