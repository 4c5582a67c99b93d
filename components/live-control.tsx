import { formatClock } from './format-time';
import type { TimeRange } from '@/lib/dashboard';

interface LiveControlProps {
  range: TimeRange | null;
  onPause: () => void;
  onLive: () => void;
  hydrated: boolean;
}

/**
 * Live or paused, and the way to the other: while live (the connection badge says so), a Pause
 * button; while paused, "Paused", the range shown and a "Back to live" button. Data keeps
 * arriving underneath either way.
 */
export function LiveControl({ range, onPause, onLive, hydrated }: LiveControlProps) {
  if (!range) {
    return (
      <div className="live-control" data-mode="live">
        <button type="button" className="control" onClick={onPause} disabled={!hydrated}>
          <span aria-hidden>❚❚ </span>Pause
        </button>
      </div>
    );
  }
  return (
    <div className="live-control" data-mode="paused">
      <span className="mode" data-testid="mode">
        Paused
      </span>
      <span className="range" data-testid="range">
        {formatClock(range.from, hydrated)}–{formatClock(range.to, hydrated)}
      </span>
      <button type="button" className="control primary" onClick={onLive}>
        <span aria-hidden>▶ </span>Back to live
      </button>
    </div>
  );
}
