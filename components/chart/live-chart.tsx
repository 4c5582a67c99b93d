import { memo, useEffect, useMemo, useState, type ComponentProps } from 'react';
import { TooltipBox } from './tooltip-box';
import { Line, LineChart, Tooltip, XAxis, YAxis, usePlotArea, useYAxisScale } from 'recharts';
import { decimate, type Panel } from '@/lib/dashboard';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import type * as ShapeModule from '@/lib/dashboard/shape';
import type { ChartRow } from '@/lib/dashboard/shape';
import { formatValue, niceTicks } from '@/lib/units';
import { formatClock, formatTick } from '../common/format-time';
import type { LiveSeries } from '../live/live-store';
import { cancelDraw, scheduleDraw } from './draw-scheduler';
import { colorOf, dashOf } from './palette';
import { StaticChart } from './static-chart';
import { timeTicks } from './time-ticks';

type Row = ChartRow;



const NO_OPTIONS: PanelOptions = {};

type Shape = typeof ShapeModule;
let shapeLoaded: Shape | null = null;

/**
 * Stacking, percent and log shaping (lib/dashboard/shape.ts), loaded when a panel first asks for
 * one (first-load JS budget): null until then, and the chart drawn as laid out meanwhile.
 */
function useShape(needed: boolean): Shape | null {
  const [shape, setShape] = useState(shapeLoaded);
  useEffect(() => {
    if (!needed || shape) return;
    let live = true;
    import('@/lib/dashboard/shape').then(
      (m) => {
        shapeLoaded = m;
        if (live) setShape(m);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [needed, shape]);
  return shape;
}

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
function valueTicks(rows: readonly Row[], panel: Panel, hidden: ReadonlySet<string>, options: PanelOptions, logTicks?: Shape['logTicks']): number[] {
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
  // Bounds as the URL reader takes them: a max not above the min is left out; on a log axis a min ≤ 0 too.
  const min = options.min !== undefined && !(options.log && options.min <= 0) ? options.min : undefined;
  const max = options.max !== undefined && !(min !== undefined && options.max <= min) ? options.max : undefined;
  if (options.log && logTicks) return logTicks(min ?? lo, max ?? hi);
  const unit = options.percent ? 'ratio' : panel.unit;
  const ticks = Number.isFinite(hi) ? niceTicks(Math.min(lo, hi), hi, unit, 4, { integer }) : niceTicks(0, 0, unit, 4, { integer });
  if (min === undefined && max === undefined) return ticks;
  // Fixed bounds: the axis' ends exactly, the round ticks between them. One bound alone keeps the
  // other end where the data (or 0) puts it, unless that is on the wrong side of it.
  let low = min ?? ticks[0] ?? 0;
  let high = max ?? ticks.at(-1) ?? 1;
  if (!(high > low)) {
    if (min === undefined) low = high - (Math.abs(high) || 1);
    else high = low + (Math.abs(low) || 1);
  }
  const inside = niceTicks(low, high, unit, 4, { integer }).filter((t) => t > low && t < high);
  return [low, ...inside, high];
}

/**
 * Where a synced chart puts its crosshair: at its row nearest in time to the hovered chart's.
 * Charts' rows are the same times where their series were sampled together, but not where the
 * server thinned each series of a large snapshot on its own (SNAPSHOT_MAX_POINTS): there an exact
 * match ('value') found none and the other charts lost their tooltip.
 */
type SyncFunction = Extract<NonNullable<ComponentProps<typeof LineChart>['syncMethod']>, (...args: never[]) => number>;
const nearestInTime: SyncFunction = (ticks, data) => {
  const t = Number(data.activeLabel);
  if (!Number.isFinite(t) || ticks.length === 0) return -1;
  let lo = 0;
  let hi = ticks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number(ticks[mid]!.value) < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(Number(ticks[lo - 1]!.value) - t) <= Math.abs(Number(ticks[lo]!.value) - t)) lo--;
  return lo;
};

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
  useEffect(() => {
    if (props.visible) scheduleDraw(key, () => setDrawn(props));
    else cancelDraw(key);
  }, [key, props]);
  useEffect(() => () => cancelDraw(key), [key]);
  // Before hydration there is nothing to schedule: draw what the server sent.
  return <ChartDrawing {...(props.hydrated ? drawn : props)} />;
}, skipWhileHidden);

/** The drawing itself: no animation, no dots, crosshair and tooltip shared with every chart. */
const ChartDrawing = memo(function ChartDrawing({ panel, series, hidden, from, to, width, hydrated, height = 190, options = NO_OPTIONS }: LiveChartProps) {
  const plot = width - PLOT_INSET.left - PLOT_INSET.right;
  const buckets = plot > 0 ? Math.max(20, Math.round(plot / PX_PER_BUCKET)) : DEFAULT_BUCKETS;
  const raw = useMemo(() => toRows(series, from, to, buckets), [series, from, to, buckets]);
  const shape = useShape(Boolean(options.stack || options.percent || options.log));
  const shaped = shape ? options : NO_OPTIONS;
  const rows = useMemo(
    () =>
      shape
        ? shape.shapeRows(
            raw,
            panel.lines.flatMap((l, i) => (hidden.has(l.key) ? [] : [i])),
            shaped,
          )
        : raw,
    [shape, raw, panel, hidden, shaped],
  );
  const yTicks = useMemo(() => valueTicks(rows, panel, hidden, shape ? options : { ...options, stack: undefined, percent: undefined, log: undefined }, shape?.logTicks), [rows, panel, hidden, options, shape]);
  const format = (v: number) => formatValue(v, panel.unit);
  const formatAxis = shaped.percent ? (v: number) => formatValue(v, 'ratio') : format;
  if (!hydrated) {
    return <StaticChart panel={panel} series={series} colors={panel.lines.map((_, i) => colorOf(i))} from={from} to={to} height={height} />;
  }
  const { ticks, step } = timeTicks(from, to);
  return (
    <LineChart
      responsive
      data={rows}
      syncId="pulseboard"
      syncMethod={nearestInTime}
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
        scale={options.log && shape ? 'log' : 'auto'}
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
            maxWidth={width > 0 ? width - 8 : undefined}
          />
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
  if (!prev.visible && !next.visible) return true;
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
