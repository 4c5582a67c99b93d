import { Suspense, lazy, memo, useEffect, useMemo, useState } from 'react';
import { Line, LineChart, Tooltip, XAxis, YAxis, usePlotArea, useYAxisScale } from 'recharts';
import { decimate, type Panel } from '@/lib/dashboard';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import { logTicks, shapeRows, type ChartRow } from '@/lib/dashboard/shape';
import { formatValue, niceTicks } from '@/lib/units';
import { formatClock, formatTick } from './format-time';
import type { LiveSeries } from './live-store';
import { cancelDraw, scheduleDraw } from './draw-scheduler';
import { colorOf, dashOf } from './palette';
import { StaticChart } from './static-chart';
import { timeTicks } from './time-ticks';

type Row = ChartRow;

// Shown on hover only: loaded with the first chart drawn, not with the page (first-load JS budget).
const loadTooltip = () => import('./tooltip-box').then((m) => ({ default: m.TooltipBox }));
const TooltipBox = lazy(loadTooltip);

const NO_OPTIONS: PanelOptions = {};

/** Where the plot sits inside the chart, in pixels: the y-axis on the left, a margin on the right. */
export const PLOT_INSET = { left: 64, right: 12 } as const;

// One min/max pair per 3 px of plot: a vertex every 1.5 px, as fine as a 1.5 px line can show.
// Recharts' cost grows with the rows of a chart (objects per row and line on every update).
const PX_PER_BUCKET = 3;
// Before the chart is measured.
const DEFAULT_BUCKETS = 100;

/**
 * Y-axis ticks over the shown lines' values: round ones in the panel's unit (a fixed maximum
 * kept), whole steps for whole-number lines or `integer`; 0–100 % for `percent`; powers of ten
 * for `log`; within `min`/`max` when the options fix them.
 */
function valueTicks(rows: readonly Row[], panel: Panel, hidden: ReadonlySet<string>, options: PanelOptions): number[] {
  let lo = Infinity;
  let hi = options.percent ? 1 : (panel.yMax ?? -Infinity);
  let integer = options.integer || (panel.unit === 'none' && panel.yMax === undefined);
  panel.lines.forEach((line, i) => {
    if (hidden.has(line.key)) return;
    const column = `s${i}`;
    for (const row of rows) {
      const v = row[column];
      if (v === undefined) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (integer && !options.integer && !Number.isInteger(v)) integer = false;
    }
  });
  if (options.min !== undefined) lo = options.min;
  if (options.max !== undefined) hi = options.max;
  if (options.log) return logTicks(lo, hi);
  const unit = options.percent ? 'ratio' : panel.unit;
  const ticks = Number.isFinite(hi) ? niceTicks(Math.min(lo, hi), hi, unit, 4, { integer }) : niceTicks(0, 0, unit, 4, { integer });
  // Fixed bounds: the round ticks inside them, and the bounds themselves as the axis' ends.
  if (options.min === undefined && options.max === undefined) return ticks;
  const inside = ticks.filter((t) => t >= lo && t <= hi);
  return [...new Set([lo, ...inside, hi])].sort((a, b) => a - b);
}

/**
 * Horizontal lines at the y ticks across the plot, and the plot's box (what tests and drags find
 * the plot by): all a live chart needs of a grid, without Recharts' CartesianGrid (first-load JS).
 */
function PlotGrid({ ticks }: { ticks: readonly number[] }) {
  const plot = usePlotArea();
  const y = useYAxisScale();
  if (!plot || !y) return null;
  return (
    <g className="plot-grid">
      <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} fill="none" />
      {ticks.map((t) => {
        const at = y(t);
        return at === undefined ? null : <line key={t} x1={plot.x} x2={plot.x + plot.width} y1={at} y2={at} stroke="var(--grid)" />;
      })}
    </g>
  );
}

/** One row per timestamp, a column per line (`s0`, `s1`, …): what Recharts' shared tooltip wants. */
function toRows(series: readonly (LiveSeries | undefined)[], from: number, to: number, buckets: number): Row[] {
  const rows = new Map<number, Row>();
  series.forEach((s, i) => {
    for (const [t, v] of decimate(s?.points ?? [], from, to, buckets)) {
      if (t < from || t > to) continue;
      let row = rows.get(t);
      if (!row) rows.set(t, (row = { t } as Row));
      row[`s${i}`] = v;
    }
  });
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

interface LiveChartProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  /** Keys of lines the reader switched off in the legend. */
  hidden: ReadonlySet<string>;
  from: number;
  to: number;
  /** Chart width in CSS pixels (0 until measured): decimation follows it. */
  width: number;
  hydrated: boolean;
  /** Off screen: keep the last drawing instead of redrawing every tick. */
  visible: boolean;
  /** In CSS pixels; 190 unless said. */
  height?: number;
  /** How the panel is drawn (stacked, percent, log, bounds, unit, whole steps). */
  options?: PanelOptions;
}

/**
 * A panel's lines over [from, to]. New data is drawn when the draw scheduler gets to this chart
 * (one chart per task), and not at all while the chart is off screen.
 */
export const LiveChart = memo(function LiveChart(props: LiveChartProps) {
  const [drawn, setDrawn] = useState(props);
  const [key] = useState(() => ({}));
  // A newer drawing replaces a waiting one in place: charts lower on the page still get their turn.
  // Off screen, a chart is still drawn live once after hydration (in its turn, like the others):
  // until then it is the server's plain SVG, without axes, and a phone's charts below the fold
  // showed that until scrolled to.
  const live = drawn.hydrated;
  useEffect(() => {
    if (props.visible || (props.hydrated && !live)) scheduleDraw(key, () => setDrawn(props));
    else cancelDraw(key);
  }, [key, props, live]);
  useEffect(() => () => cancelDraw(key), [key]);
  // Before hydration there is nothing to schedule: draw what the server sent.
  return <ChartDrawing {...(props.hydrated ? drawn : props)} />;
}, skipWhileHidden);

/** The drawing itself: no animation, no dots, crosshair and tooltip shared with every chart. */
const ChartDrawing = memo(function ChartDrawing({ panel, series, hidden, from, to, width, hydrated, height = 190, options = NO_OPTIONS }: LiveChartProps) {
  const plot = width - PLOT_INSET.left - PLOT_INSET.right;
  const buckets = plot > 0 ? Math.max(20, Math.round(plot / PX_PER_BUCKET)) : DEFAULT_BUCKETS;
  const raw = useMemo(() => toRows(series, from, to, buckets), [series, from, to, buckets]);
  const rows = useMemo(
    () =>
      shapeRows(
        raw,
        panel.lines.flatMap((l, i) => (hidden.has(l.key) ? [] : [i])),
        options,
      ),
    [raw, panel, hidden, options],
  );
  const yTicks = useMemo(() => valueTicks(rows, panel, hidden, options), [rows, panel, hidden, options]);
  const format = (v: number) => formatValue(v, panel.unit);
  const formatAxis = options.percent ? (v: number) => formatValue(v, 'ratio') : format;
  // Fetched once the page is live, so the first hover finds it there.
  useEffect(() => {
    if (hydrated) loadTooltip().catch(() => {});
  }, [hydrated]);
  if (!hydrated) {
    return <StaticChart panel={panel} series={series} colors={panel.lines.map((_, i) => colorOf(i))} from={from} to={to} height={height} />;
  }
  const { ticks, step } = timeTicks(from, to);
  return (
    <LineChart
      responsive
      data={rows}
      syncId="pulseboard"
      syncMethod="value"
      margin={{ top: 8, right: PLOT_INSET.right, bottom: 0, left: 0 }}
      style={{ width: '100%', height }}
    >
      <PlotGrid ticks={yTicks} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        allowDataOverflow
        ticks={ticks}
        tickFormatter={(t: number) => formatTick(t, step, true)}
        stroke="var(--muted)"
        fontSize={11}
      />
      <YAxis
        width={PLOT_INSET.left}
        scale={options.log ? 'log' : 'auto'}
        domain={[yTicks[0] ?? 0, yTicks.at(-1) ?? 1]}
        allowDataOverflow={options.min !== undefined || options.max !== undefined}
        ticks={yTicks}
        interval={0}
        tickFormatter={formatAxis}
        stroke="var(--muted)"
        fontSize={11}
      />
      <Tooltip
        isAnimationActive={false}
        cursor={{ stroke: 'var(--muted)', strokeWidth: 1 }}
        content={({ active, payload, label }) => (
          <Suspense>
          <TooltipBox
            active={(active ?? false) && Number.isFinite(Number(label))}
            time={() => formatClock(Number(label), true)}
            items={(payload ?? []).map((item) => {
              const index = Number(String(item.dataKey).slice(1));
              // The value itself, not its stacked height or share.
              const own = (item.payload as Row | undefined)?.[`o${index}`];
              return { index, label: panel.lines[index]?.label ?? String(item.name), value: Number(own ?? item.value) };
            })}
            format={format}
          />
          </Suspense>
        )}
      />
      {panel.lines.map((line, i) => (
        <Line
          key={line.key}
          dataKey={`s${i}`}
          name={line.label}
          hide={hidden.has(line.key)}
          stroke={colorOf(i)}
          strokeDasharray={dashOf(i) || undefined}
          strokeWidth={1.5}
          dot={false}
          activeDot={{ r: 3 }}
          isAnimationActive={false}
          connectNulls
          type="linear"
        />
      ))}
    </LineChart>
  );
});

function skipWhileHidden(prev: LiveChartProps, next: LiveChartProps): boolean {
  if (!prev.visible && !next.visible && prev.hydrated === next.hydrated) return true;
  return (
    prev.visible === next.visible &&
    prev.panel === next.panel &&
    prev.hidden === next.hidden &&
    prev.from === next.from &&
    prev.to === next.to &&
    prev.width === next.width &&
    prev.hydrated === next.hydrated &&
    prev.height === next.height &&
    prev.options === next.options &&
    prev.series.length === next.series.length &&
    prev.series.every((s, i) => s?.points === next.series[i]?.points)
  );
}
