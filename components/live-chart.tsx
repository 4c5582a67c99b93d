import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from './format-time';
import type { LiveSeries } from './live-store';
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

/** One row per timestamp, a column per line (`s0`, `s1`, …): what Recharts' shared tooltip wants. */
function toRows(series: readonly (LiveSeries | undefined)[]): Row[] {
  const rows = new Map<number, Row>();
  series.forEach((s, i) => {
    for (const [t, v] of s?.points ?? []) {
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
}

/** A panel's lines over [from, to]: no animation, no dots, crosshair shared with every chart. */
export const LiveChart = memo(function LiveChart({ panel, series, from, to, hydrated }: LiveChartProps) {
  const rows = useMemo(() => toRows(series), [series]);
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
