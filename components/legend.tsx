import type { MouseEvent } from 'react';
import { statsWithin, type Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from './format-time';
import type { LiveSeries } from './live-store';
import { colorOf } from './palette';

interface LegendProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  from: number;
  to: number;
  /** The newest time on the page: a line whose last point is far behind it is stale. */
  newest: number;
  hidden: ReadonlySet<string>;
  /** Click toggles one line; with Shift or Alt it shows that line alone (or all again). */
  onToggle: (key: string, solo: boolean) => void;
  hydrated: boolean;
}

/**
 * A series is stale when its newest point is older than three of its own intervals (at least
 * 5 s), measured against the newest point on the page — server time, so clock skew cannot fake it.
 */
export function isStale(points: LiveSeries['points'] | undefined, newest: number): boolean {
  const last = points?.at(-1)?.[0];
  if (last === undefined) return false;
  const previous = points?.at(-2)?.[0];
  const interval = previous === undefined ? 1_000 : last - previous;
  return newest - last > Math.max(5_000, 3 * interval);
}

/**
 * A panel's lines as a table: a toggle per line and its current, min, max and mean over the
 * shown range. Readable without JavaScript (the figures are in the server's HTML).
 */
export function Legend({ panel, series, from, to, newest, hidden, onToggle, hydrated }: LegendProps) {
  const format = (v: number | undefined) => (v === undefined ? '–' : formatValue(v, panel.unit));
  const click = (key: string) => (e: MouseEvent) => onToggle(key, e.shiftKey || e.altKey);
  return (
    <table className="legend">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Series</span>
          </th>
          <th scope="col">now</th>
          <th scope="col">min</th>
          <th scope="col">max</th>
          <th scope="col">mean</th>
        </tr>
      </thead>
      <tbody>
        {panel.lines.map((line, i) => {
          const points = series[i]?.points ?? [];
          const stats = statsWithin(points, from, to);
          const last = points.at(-1);
          const stale = isStale(points, newest);
          const off = hidden.has(line.key);
          return (
            <tr key={line.key} data-series={line.key} data-stale={stale || undefined} data-hidden={off || undefined}>
              <th scope="row">
                <button
                  type="button"
                  className="legend-toggle"
                  aria-pressed={!off}
                  title={`${stale && last ? `${line.key}: no update since ${formatClock(last[0], hydrated)}` : line.key}\nClick: show or hide · Shift/Alt-click: show only this`}
                  onClick={click(line.key)}
                >
                  <span className="swatch" style={{ background: colorOf(i) }} aria-hidden />
                  <span className="legend-label">{line.label}</span>
                  {stale && <span className="stale-tag">stale</span>}
                </button>
              </th>
              <td className="legend-value" data-testid="value">
                {format(stats?.last)}
              </td>
              <td data-testid="min">{format(stats?.min)}</td>
              <td data-testid="max">{format(stats?.max)}</td>
              <td data-testid="mean">{format(stats?.mean)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
