import type { Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from '../common/format-time';
import type { LiveSeries } from '../live/live-store';
import { dashOf } from './palette';

const W = 1000;

interface StaticChartProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  colors: readonly string[];
  from: number;
  to: number;
  height: number;
}

/**
 * Plain SVG lines of the snapshot, drawn on the server: the chart is in the first response and
 * readable without JavaScript. Recharts, which measures the page, replaces it once hydrated (and a
 * chart off screen only when it scrolls near). Its axes are its ends: the top and bottom values
 * and the first and last times, in UTC (the server cannot know the reader's zone), said so.
 */
export function StaticChart({ panel, series, colors, from, to, height: H }: StaticChartProps) {
  let max = panel.yMax ?? 0;
  if (panel.yMax === undefined) for (const s of series) for (const [, v] of s?.points ?? []) max = Math.max(max, v);
  const span = Math.max(1, to - from);
  const x = (t: number) => (((t - from) / span) * W).toFixed(1);
  const y = (v: number) => (H - (max > 0 ? (v / max) * (H - 10) : 0)).toFixed(1);
  const ends = `${formatClock(from, false)}–${formatClock(to, false)} UTC`;
  return (
    <div className="static-chart-box" style={{ height: H }}>
    <svg
      className="static-chart"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${panel.title} chart`}
      width="100%"
      height={H}
    >
      {series.map((s, i) =>
        s && s.points.length > 0 ? (
          <polyline
            key={panel.lines[i]?.key ?? i}
            points={s.points.map(([t, v]) => `${x(t)},${y(v)}`).join(' ')}
            fill="none"
            stroke={colors[i]}
            strokeDasharray={dashOf(i) || undefined}
            strokeWidth={1.5}
            vectorEffect="non-scaling-stroke"
          />
        ) : null,
      )}
    </svg>
      <span className="static-axis static-axis-top" data-testid="static-top">{formatValue(max, panel.unit)}</span>
      <span className="static-axis static-axis-bottom" data-testid="static-bottom">{formatValue(0, panel.unit)}</span>
      <span className="static-axis static-axis-time" data-testid="static-time">{ends}</span>
    </div>
  );
}
