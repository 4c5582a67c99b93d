import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { decimate, type Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from './format-time';
import type { LiveSeries } from './live-store';
import { cancelDraw, scheduleDraw } from './draw-scheduler';
import { StaticChart } from './static-chart';

/** Distinguishable on light and dark backgrounds. */
const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export function colorOf(index: number): string {
  return COLORS[index % COLORS.length] as string;
}

type Row = { t: number } & Record<string, number>;

const TICK_STEPS = [5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1_800e3, 3_600e3];

/** Round-time ticks across [from, to], about five of them. */
function timeTicks(from: number, to: number): number[] {
  const step = TICK_STEPS.find((s) => (to - from) / s <= 6) ?? (TICK_STEPS.at(-1) as number);
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

// Min/max columns per line, about one point per pixel of a chart. Recharts' cost grows with the
// rows of a chart (it builds objects per row and line on every update): this bounds it per tick.
const BUCKETS = 100;

/** One row per timestamp, a column per line (`s0`, `s1`, …): what Recharts' shared tooltip wants. */
function toRows(series: readonly (LiveSeries | undefined)[], from: number, to: number): Row[] {
  const rows = new Map<number, Row>();
  series.forEach((s, i) => {
    for (const [t, v] of decimate(s?.points ?? [], from, to, BUCKETS)) {
      if (t < from) continue;
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
  from: number;
  to: number;
  hydrated: boolean;
  /** Off screen: keep the last drawing instead of redrawing every tick. */
  visible: boolean;
}

/**
 * A panel's lines over [from, to]. New data is drawn when the draw scheduler gets to this chart
 * (one chart per task), and not at all while the chart is off screen.
 */
export const LiveChart = memo(function LiveChart(props: LiveChartProps) {
  const [drawn, setDrawn] = useState(props);
  const key = useRef({}).current;
  // A newer drawing replaces a waiting one in place: charts lower on the page still get their turn.
  useEffect(() => {
    if (props.visible) scheduleDraw(key, () => setDrawn(props));
    else cancelDraw(key);
  }, [key, props]);
  useEffect(() => () => cancelDraw(key), [key]);
  // Before hydration there is nothing to schedule: draw what the server sent.
  return <ChartDrawing {...(props.hydrated ? drawn : props)} />;
}, skipWhileHidden);

/** The drawing itself: no animation, no dots, crosshair shared with every chart. */
const ChartDrawing = memo(function ChartDrawing({ panel, series, from, to, hydrated }: LiveChartProps) {
  const rows = useMemo(() => toRows(series, from, to), [series, from, to]);
  const format = (v: number) => formatValue(v, panel.unit);
  if (!hydrated) {
    return <StaticChart panel={panel} series={series} colors={panel.lines.map((_, i) => colorOf(i))} from={from} to={to} />;
  }
  return (
    <LineChart
      responsive
      data={rows}
      syncId="pulseboard"
      syncMethod="value"
      margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      style={{ width: '100%', height: 190 }}
    >
      <CartesianGrid stroke="var(--grid)" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        allowDataOverflow
        ticks={timeTicks(from, to)}
        tickFormatter={(t: number) => formatClock(t, true)}
        stroke="var(--muted)"
        fontSize={11}
      />
      <YAxis
        width={64}
        domain={[0, panel.yMax ?? 'auto']}
        tickFormatter={format}
        stroke="var(--muted)"
        fontSize={11}
        allowDecimals
      />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(t) => formatClock(Number(t), true)}
        formatter={(v) => format(Number(v))}
        contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', borderRadius: 6, fontSize: 12 }}
      />
      {panel.lines.map((line, i) => (
        <Line
          key={line.key}
          dataKey={`s${i}`}
          name={line.label}
          stroke={colorOf(i)}
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
    prev.from === next.from &&
    prev.to === next.to &&
    prev.hydrated === next.hydrated &&
    prev.series.length === next.series.length &&
    prev.series.every((s, i) => s?.points === next.series[i]?.points)
  );
}
