import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type ComponentProps } from 'react';
import { createPortal } from 'react-dom';
import { TooltipBox } from './tooltip-box';
import { LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis, useActiveTooltipLabel, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { decimate, type Panel } from '@/lib/dashboard';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import type * as ShapeModule from '@/lib/dashboard/shape';
import type { ChartRow } from '@/lib/dashboard/shape';
import { formatValue, niceTicks } from '@/lib/units';
import { formatClock, formatTick } from '../common/format-time';
import type { LiveSeries } from '../live/live-store';
import { cancelDraw, scheduleDraw } from './draw-scheduler';
import { deferral, PLOT_INSET } from './redraw';
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
function valueTicks(rows: readonly Row[], panel: Panel, hidden: ReadonlySet<string>, options: PanelOptions, logTicks?: Shape['logTicks'], extra: readonly number[] = []): number[] {
  let lo = Infinity;
  let hi = options.percent ? 1 : (panel.yMax ?? -Infinity);
  // An alert's threshold stays on the axis: how far the lines are from it is the point.
  for (const v of extra) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
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

type Scale = NonNullable<ReturnType<typeof useXAxisScale>>;

/** The row nearest in time to `t` (rows are in time order). */
function nearestRow(rows: readonly Row[], t: number): Row | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  const after = rows[lo];
  const before = rows[lo - 1];
  return before && (!after || t - before.t <= after.t - t) ? before : after;
}

/** A line's path through the rows that have its column (gaps joined, as `connectNulls`), at a tenth of a pixel. */
function linePath(rows: readonly Row[], column: string, x: Scale, y: Scale): string {
  let d = '';
  for (const row of rows) {
    const v = row[column];
    if (v === undefined) continue;
    const px = x(row.t) ?? NaN;
    const py = y(v) ?? NaN;
    if (Number.isFinite(px + py)) d += `${d ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
  }
  return d;
}

/**
 * The plot: horizontal lines at the y ticks and the plot's box (what tests and drags find the plot
 * by), all a live chart needs of a grid, without Recharts' CartesianGrid (first-load JS); then the
 * panel's lines, one SVG path each, drawn from the chart's own scales (its axes, crosshair,
 * tooltip and sync stay Recharts'), and a dot on each at the hovered time. Recharts'
 * Line laid out an object per point and line on every update (label boxes, payloads, a measured
 * path length): most of what a live chart cost, and what made a 50-line panel many times a
 * 3-line one. Clipped to the plot, as Recharts clips a line when the axis' bounds are fixed.
 */
interface PlotProps {
  rows: readonly Row[];
  panel: Panel;
  hidden: ReadonlySet<string>;
  ticks: readonly number[];
  /** The time axis' ticks and their step (see timeTicks). */
  times: { ticks: readonly number[]; step: number };
  format: (v: number) => string;
}

function Plot({ rows, panel, hidden, ticks, times, format }: PlotProps) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const plot = usePlotArea();
  const label = useActiveTooltipLabel();
  const clip = useId();
  // The chart's wrapper (positioned), where the tooltip goes.
  const [host, setHost] = useState<Element | null>(null);
  const hostRef = useCallback((g: SVGGElement | null) => setHost(g?.ownerSVGElement?.parentElement ?? null), []);
  // Escape dismisses the tooltip until the pointer moves or another time is chosen (WCAG 1.4.13).
  const [dismissed, setDismissed] = useState<unknown>(undefined);
  useEffect(() => {
    if (label === undefined) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDismissed(label);
    const onMove = () => setDismissed(undefined);
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointermove', onMove);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointermove', onMove);
    };
  }, [label]);
  const paths = useMemo(() => x && y && panel.lines.map((line, i) => !hidden.has(line.key) && linePath(rows, `s${i}`, x, y)), [rows, panel, hidden, x, y]);
  if (!x || !y || !plot || !paths) return null;
  // The hovered row; the nearest in time while Recharts still holds the previous rows (it takes
  // new data an effect later: an exact match alone made the tooltip blink on every redraw).
  const at = label === undefined || label === dismissed ? undefined : nearestRow(rows, Number(label));
  const px = at && x(at.t);
  // The tooltip beside the crosshair, on the side with more room, at the top of the plot, never
  // wider than that side (a box past the chart's edge widened a phone's page).
  const chartWidth = plot.x + plot.width + PLOT_INSET.right;
  // About how wide a time label is at 11 px (digits and colons), and how many ticks one spans.
  const labelWidth = formatTick(times.ticks[0] ?? 0, times.step, true).length * 6.5 + 8;
  const tickGap = times.ticks.length > 1 ? (x(times.ticks[1]!) ?? 0) - (x(times.ticks[0]!) ?? 0) : Infinity;
  const labelEvery = tickGap > 0 ? Math.max(1, Math.ceil(labelWidth / tickGap)) : 1;
  const leftOfIt = px !== undefined && px >= chartWidth / 2;
  // Too little room beside the crosshair (a phone): against the chart's edge on that side, over it.
  const room = px === undefined ? 0 : (leftOfIt ? px : chartWidth - px) - 20;
  const roomy = room >= 200;
  const tooltip =
    at && px !== undefined && host
      ? createPortal(
          <div className="chart-tooltip" style={{ top: plot.y, ...(roomy ? (leftOfIt ? { right: chartWidth - px + 12 } : { left: px + 12 }) : leftOfIt ? { left: 8 } : { right: 8 }) }}>
            <TooltipBox
              active
              time={() => formatClock(at.t, true)}
              items={panel.lines.flatMap((line, index) => {
                const shown = at[`s${index}`];
                // The value itself, not its stacked height or share.
                return hidden.has(line.key) || shown === undefined ? [] : [{ index, label: line.label, value: at[`o${index}`] ?? shown }];
              })}
              format={format}
              maxWidth={roomy ? room : chartWidth - 16}
            />
          </div>,
          host,
        )
      : null;
  return (
    <g ref={hostRef}>
      {tooltip}
      {/* The time axis' ticks, keyed by their time: as the window moves they move, where Recharts'
          (keyed by their place) were made anew every second. */}
      <g className="x-ticks" fontSize={11} fill="var(--muted)" textAnchor="middle">
        {times.ticks.map((t) => {
          const at = x(t) ?? NaN;
          // A label is kept clear of its neighbours (every n-th, by time, so they do not jump as
          // the window moves) and whole within the chart, as Recharts' preserveEnd did.
          const shown = Math.round(t / times.step) % labelEvery === 0 && at - labelWidth / 2 >= 0 && at + labelWidth / 2 <= chartWidth;
          return (
            <g key={t} transform={`translate(${at.toFixed(1)},${plot.y + plot.height})`}>
              <line y2={6} stroke="var(--muted)" />
              {shown && (
                <text className="recharts-cartesian-axis-tick-value" y={8} dy="0.71em">
                  {formatTick(t, times.step, true)}
                </text>
              )}
            </g>
          );
        })}
      </g>
      <g className="plot-grid">
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} fill="none" />
        {ticks.map((t) => {
          const at = y(t) ?? NaN;
          return at === at && <line key={t} x1={plot.x} x2={plot.x + plot.width} y1={at} y2={at} stroke="var(--grid)" />;
        })}
      </g>
      {/* A line along an edge keeps its whole stroke; one beyond fixed bounds is cut there. */}
      <clipPath id={clip}>
        <rect x={plot.x - 1} y={plot.y - 1} width={plot.width + 2} height={plot.height + 2} />
      </clipPath>
      <g clipPath={`url(#${clip})`}>
        {panel.lines.map((line, i) =>
          paths[i] ? (
            <path
              key={line.key}
              className="recharts-curve recharts-line-curve"
              d={paths[i]}
              fill="none"
              stroke={colorOf(i)}
              strokeDasharray={dashOf(i) || undefined}
              strokeWidth={1.5}
            />
          ) : null,
        )}
      </g>
      {at &&
        px !== undefined &&
        panel.lines.map((line, i) => {
          const v = at[`s${i}`];
          const py = v === undefined || hidden.has(line.key) ? NaN : (y(v) ?? NaN);
          // A value beyond fixed bounds has no dot (its line is cut at the edge).
          return py >= plot.y - 1 && py <= plot.y + plot.height + 1 && <circle key={line.key} className="recharts-active-dot" cx={px} cy={py} r={3} fill={colorOf(i)} stroke="var(--panel)" strokeWidth={1.5} />;
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
  /** Alert rules' thresholds and firing periods over this panel's lines. */
  marks?: ChartMarks;
}

/** What alert rules draw over a chart: their thresholds (dashed lines) and when they fired (shaded). */
export interface ChartMarks {
  thresholds: ReadonlyArray<{ rule: string; y: number }>;
  firing: ReadonlyArray<{ rule: string; from: number; to: number }>;
}

/**
 * A panel's lines over [from, to]. New data is drawn when the draw scheduler gets to this chart
 * (one chart per task), once the window has moved a pixel (see deferral), and not at all while
 * the chart is off screen.
 */
export const LiveChart = memo(function LiveChart(props: LiveChartProps) {
  const [drawn, setDrawn] = useState(props);
  const [key] = useState(() => ({}));
  // When the drawing shown was made (see deferral).
  const drawnAt = useRef(0);
  // A newer drawing replaces a waiting one in place: charts lower on the page still get their turn.
  useEffect(() => {
    if (!props.visible) return cancelDraw(key);
    const wait = deferral(drawn, props, performance.now() - drawnAt.current);
    if (wait === null) return;
    const draw = () =>
      scheduleDraw(key, () => {
        drawnAt.current = performance.now();
        setDrawn(props);
      });
    if (wait === 0) return draw();
    const timer = setTimeout(draw, wait);
    return () => clearTimeout(timer);
  }, [key, props, drawn]);
  useEffect(() => () => cancelDraw(key), [key]);
  // Before hydration there is nothing to schedule: draw what the server sent.
  return <ChartDrawing {...(props.hydrated ? drawn : props)} />;
}, skipWhileHidden);

const noTooltip = () => null;

/** The drawing itself: no animation, no dots, crosshair and tooltip shared with every chart. */
const NO_THRESHOLDS: readonly number[] = [];

const ChartDrawing = memo(function ChartDrawing({ panel, series, hidden, from, to, width, hydrated, height = 190, options = NO_OPTIONS, marks }: LiveChartProps) {
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
  // Thresholds widen the axis unless it is fixed (percent) or logarithmic.
  const thresholds = useMemo(() => (marks && !options.percent && !options.log ? marks.thresholds.map((t) => t.y) : NO_THRESHOLDS), [marks, options.percent, options.log]);
  const yTicks = useMemo(
    () => valueTicks(rows, panel, hidden, shape ? options : { ...options, stack: undefined, percent: undefined, log: undefined }, shape?.logTicks, thresholds),
    [rows, panel, hidden, options, shape, thresholds],
  );
  const format = (v: number) => formatValue(v, panel.unit);
  const formatAxis = shaped.percent ? (v: number) => formatValue(v, 'ratio') : format;
  if (!hydrated) {
    return <StaticChart panel={panel} series={series} colors={panel.lines.map((_, i) => colorOf(i))} from={from} to={to} height={height} />;
  }
  const times = timeTicks(from, to);
  return (
    <LineChart
      responsive
      data={rows}
      syncId="pulseboard"
      syncMethod={nearestInTime}
      margin={{ top: 8, right: PLOT_INSET.right, bottom: 0, left: 0 }}
      style={{ width: '100%', height }}
    >
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        allowDataOverflow
        tick={false}
        tickLine={false}
        stroke="var(--muted)"
      />
      <YAxis
        width={PLOT_INSET.left}
        scale={options.log && shape ? 'log' : 'auto'}
        domain={[yTicks[0] ?? 0, yTicks.at(-1) ?? 1]}
        // The domain is the ticks' span, which holds every shown line unless the options fix a bound.
        allowDataOverflow
        ticks={yTicks}
        interval={0}
        tickFormatter={formatAxis}
        stroke="var(--muted)"
        fontSize={11}
      />
      {marks?.firing.map((f) => (
        <ReferenceArea key={`${f.rule} ${f.from}`} x1={Math.max(f.from, from)} x2={Math.min(f.to, to)} ifOverflow="hidden" fill="var(--bad)" fillOpacity={0.18} stroke="none" className="alert-firing-area" />
      ))}
      {marks && thresholds.length > 0 &&
        marks.thresholds.map((t) => <ReferenceLine key={`${t.rule} ${t.y}`} y={t.y} ifOverflow="hidden" stroke="var(--bad)" strokeDasharray="5 4" className="alert-threshold" />)}
      {/* The crosshair and the sync across charts; Plot draws the tooltip (Recharts' needs a graphical item). */}
      <Tooltip isAnimationActive={false} cursor={{ stroke: 'var(--muted)', strokeWidth: 1 }} content={noTooltip} />
      <Plot rows={rows} panel={panel} hidden={hidden} ticks={yTicks} times={times} format={format} />
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
    prev.marks === next.marks &&
    prev.series.length === next.series.length &&
    prev.series.every((s, i) => s?.points === next.series[i]?.points)
  );
}
