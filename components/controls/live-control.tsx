import { formatClock } from '../common/format-time';
import type { TimeRange } from '@/lib/dashboard';

interface LiveControlProps {
  range: TimeRange | null;
  onPause: () => void;
  onLive: () => void;
  hydrated: boolean;
}

/**
 * Live or paused, and the way to the other: while live (the connection badge says so), a Pause
 * button; while paused, "Paused", the range shown and "Back to live". It is one button whose
 * label changes, so keyboard focus stays on it. Data keeps arriving underneath either way.
 */
export function LiveControl({ range, onPause, onLive, hydrated }: LiveControlProps) {
  return (
    <div className="live-control" data-mode={range ? 'paused' : 'live'}>
      {range && (
        <span className="mode" data-testid="mode">
          Paused
        </span>
      )}
      {range && (
        <span className="range" data-testid="range">
          {formatClock(range.from, hydrated)}–{formatClock(range.to, hydrated)}
        </span>
      )}
      <button
        type="button"
        className={range ? 'control primary' : 'control'}
        onClick={range ? onLive : onPause}
        disabled={!hydrated}
        title={range ? 'Or double-click a chart, or press Escape' : 'Or drag across a chart to zoom'}
      >
        <span aria-hidden>{range ? '▶ ' : '❚❚ '}</span>
        {range ? 'Back to live' : 'Pause'}
      </button>
    </div>
  );
}
