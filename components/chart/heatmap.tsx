import { useMemo } from 'react';
import type { BucketSeries } from '@/lib/dashboard';
import { heatmapOf } from '@/lib/dashboard/heatmap';
import { formatValue, type Unit } from '@/lib/units';
import { formatClock, formatTick } from '../common/format-time';
import { PLOT_INSET } from './redraw';
import { timeTicks } from './time-ticks';

// A cell column every 6 px of plot: finer is noise at 1 s data, coarser hides bursts.
const PX_PER_COLUMN = 6;
const TOP = 8;
const AXIS = 22;

interface HeatmapProps {
  /** One histogram per label set: their bucket rates are summed, as a heatmap of the family. */
  histograms: readonly (readonly BucketSeries[])[];
  unit: Unit;
  title: string;
  from: number;
  to: number;
  width: number;
  height?: number;
  /** Times in the browser's zone once hydrated, UTC before (as every chart's). */
  hydrated: boolean;
}

const bound = (le: number, unit: Unit) => (le === Infinity ? '+Inf' : formatValue(le, unit));

/**
 * A histogram's bucket rates over time: a row per bucket (ordered by bound, the lowest at the
 * bottom), a column per few pixels of time, each cell's opacity the observations per second that
 * fell in that bucket then, on a log scale against the busiest cell. Each cell tells its figures
 * on hover (an SVG title); the whole is described for screen readers.
 */
export function Heatmap({ histograms, unit, title, from, to, width, height = 190, hydrated }: HeatmapProps) {
  const plot = Math.max(0, width - PLOT_INSET.left - PLOT_INSET.right);
  const columns = Math.max(10, Math.round(plot / PX_PER_COLUMN));
  const map = useMemo(() => heatmapOf(histograms, from, to, columns), [histograms, from, to, columns]);
  const rows = map.bounds.length;
  const inner = height - TOP - AXIS;
  const rowHeight = rows > 0 ? inner / rows : inner;
  const colWidth = plot / columns;
  const scale = Math.log1p(map.max);
  const { ticks, step } = timeTicks(from, to);
  const x = (t: number) => PLOT_INSET.left + ((t - from) / (to - from)) * plot;
  // At most eight bound labels down the axis.
  const every = Math.max(1, Math.ceil(rows / 8));
  const label = `${title}: heatmap of observations per second by bucket, ${rows} buckets, busiest cell ${formatValue(map.max, 'per_second')}`;
  return (
    <svg className="heatmap" role="img" aria-label={label} width={width || '100%'} height={height} data-testid="heatmap" data-max-rate={map.max}>
      {map.columns.map((column, c) =>
        column.rates.map((rate, r) => {
          if (!(rate > 0)) return null;
          const lower = r === 0 ? 0 : map.bounds[r - 1]!;
          return (
            <rect
              key={`${c}:${r}`}
              x={PLOT_INSET.left + c * colWidth}
              y={TOP + (rows - 1 - r) * rowHeight}
              width={Math.max(1, colWidth - 0.5)}
              height={Math.max(1, rowHeight - 0.5)}
              fill="var(--series-0)"
              fillOpacity={0.12 + 0.88 * (scale > 0 ? Math.log1p(rate) / scale : 0)}
            >
              <title>{`${bound(lower, unit)} – ${bound(map.bounds[r]!, unit)}: ${formatValue(rate, 'per_second')} (${formatClock(column.from, hydrated)}–${formatClock(column.to, hydrated)})`}</title>
            </rect>
          );
        }),
      )}
      {map.bounds.map((le, r) =>
        r % every === 0 ? (
          <text key={le} x={PLOT_INSET.left - 6} y={TOP + (rows - r - 0.5) * rowHeight} dominantBaseline="middle" textAnchor="end" fontSize={11} fill="var(--muted)">
            ≤ {bound(le, unit)}
          </text>
        ) : null,
      )}
      <line x1={PLOT_INSET.left} x2={PLOT_INSET.left + plot} y1={TOP + inner} y2={TOP + inner} stroke="var(--muted)" />
      {ticks.map((t) => (
        <text key={t} x={x(t)} y={TOP + inner + 15} textAnchor="middle" fontSize={11} fill="var(--muted)">
          {formatTick(t, step, hydrated)}
        </text>
      ))}
      {map.max === 0 && (
        <text x={PLOT_INSET.left + plot / 2} y={TOP + inner / 2} textAnchor="middle" fontSize={12} fill="var(--muted)">
          No observations in this window
        </text>
      )}
    </svg>
  );
}
