import type { MouseEvent } from 'react';
import { DRAWN_MAX, type LegendSort, type LegendSortKey, type Panel, type SeriesStats } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from '../common/format-time';
import type { LiveSeries } from '../live/live-store';
import { colorOf, dashOf } from './palette';

interface LegendProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  /** Each line's figures over the range shown (index as panel.lines). */
  stats: readonly (SeriesStats | undefined)[];
  /** The rows' order: indices into panel.lines. */
  order: readonly number[];
  sort: LegendSort;
  onSort: (by: LegendSortKey) => void;
  /** The newest time on the page: a line whose last point is far behind it is stale. */
  newest: number;
  /** Lines not drawn: switched off, or past the first DRAWN_MAX. */
  off: ReadonlySet<string>;
  /** Whether every line is drawn (past DRAWN_MAX only the first are, until asked). */
  all: boolean;
  onAll: (all: boolean) => void;
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

/** A line's key in the legend: its colour, dashed past the twelfth. */
export function Swatch({ index }: { index: number }) {
  return (
    <svg className="swatch" viewBox="0 0 16 4" aria-hidden>
      <line x1="0" y1="2" x2="16" y2="2" stroke={colorOf(index)} strokeWidth="3" strokeDasharray={dashOf(index) || undefined} />
    </svg>
  );
}

const COLUMNS: ReadonlyArray<[LegendSortKey, string]> = [
  ['now', 'now'],
  ['min', 'min'],
  ['max', 'max'],
  ['mean', 'mean'],
];

const SORT_NAMES: Record<LegendSortKey, string> = { name: 'name', now: 'latest value', min: 'minimum', max: 'maximum', mean: 'mean' };

/**
 * A panel's lines as a table in a box of fixed height (its own scroll: a panel is as tall with 50
 * lines as with 3): a toggle per line and its current, min, max and mean over the shown range,
 * sorted by a click on a column's header. Past DRAWN_MAX lines, the first DRAWN_MAX are drawn and
 * the caption says so. Readable without JavaScript (the figures are in the server's HTML).
 */
export function Legend({ panel, series, stats, order, sort, onSort, newest, off, all, onAll, onToggle, hydrated }: LegendProps) {
  const format = (v: number | undefined) => (v === undefined ? '–' : formatValue(v, panel.unit));
  const click = (key: string) => (e: MouseEvent) => onToggle(key, e.shiftKey || e.altKey);
  const many = panel.lines.length > DRAWN_MAX;
  const header = (by: LegendSortKey, text: string, className?: string) => (
    <th scope="col" className={className} aria-sort={sort.by === by && !sort.laidOut ? (sort.desc ? 'descending' : 'ascending') : undefined}>
      {hydrated ? (
        <button type="button" className="legend-sort" onClick={() => onSort(by)} title={`Sort by ${SORT_NAMES[by]}`}>
          {text}
          {sort.by === by && !sort.laidOut && <span aria-hidden>{sort.desc ? ' ↓' : ' ↑'}</span>}
        </button>
      ) : (
        text
      )}
    </th>
  );
  return (
    <div className="legend-area">
      {many && (
        <p className="legend-caption" data-testid="legend-caption">
          {all ? `all ${panel.lines.length} lines drawn` : `showing ${DRAWN_MAX} of ${panel.lines.length} — top by ${SORT_NAMES[sort.by]}`}
          {hydrated && (
            <button type="button" className="legend-all" onClick={() => onAll(!all)}>
              {all ? `draw the top ${DRAWN_MAX}` : 'draw all'}
            </button>
          )}
        </p>
      )}
      <div className="legend-box" tabIndex={many ? 0 : undefined} role={many ? 'region' : undefined} aria-label={many ? `${panel.title}: ${panel.lines.length} lines` : undefined}>
        <table className="legend">
          <thead>
            <tr>
              {header('name', 'series', 'legend-name')}
              {COLUMNS.map(([by, text]) => header(by, text))}
            </tr>
          </thead>
          <tbody>
            {order.map((i) => {
              const line = panel.lines[i]!;
              const points = series[i]?.points ?? [];
              const figures = stats[i];
              const last = points.at(-1);
              const stale = isStale(points, newest);
              const hidden = off.has(line.key);
              return (
                <tr key={line.key} data-series={line.key} data-stale={stale || undefined} data-hidden={hidden || undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="legend-toggle"
                      aria-pressed={!hidden}
                      title={`${stale && last ? `${line.key}: no update since ${formatClock(last[0], hydrated)}` : line.key}\nClick: show or hide · Shift/Alt-click: show only this`}
                      onClick={click(line.key)}
                    >
                      <Swatch index={i} />
                      <span className="legend-label">{line.label}</span>
                      {stale && <span className="stale-tag">stale</span>}
                    </button>
                  </th>
                  <td className="legend-value" data-testid="value">
                    {format(figures?.last)}
                  </td>
                  <td data-testid="min">{format(figures?.min)}</td>
                  <td data-testid="max">{format(figures?.max)}</td>
                  <td data-testid="mean">{format(figures?.mean)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
