import { percentile, pointsWithin, statsWithin, type Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import type { LiveSeries } from '../live/live-store';
import { Swatch } from './legend';

interface SeriesTableProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  from: number;
  to: number;
}

/** A metric's series with their last, min, max, mean and 95th percentile over [from, to]. */
export function SeriesTable({ panel, series, from, to }: SeriesTableProps) {
  const format = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : formatValue(v, panel.unit));
  return (
    <table className="series-table">
      <caption className="visually-hidden">Series of {panel.title} over the window</caption>
      <thead>
        <tr>
          <th scope="col">Series</th>
          <th scope="col">last</th>
          <th scope="col">min</th>
          <th scope="col">max</th>
          <th scope="col">mean</th>
          <th scope="col">p95</th>
          <th scope="col">points</th>
        </tr>
      </thead>
      <tbody>
        {panel.lines.map((line, i) => {
          const points = series[i]?.points ?? [];
          const stats = statsWithin(points, from, to);
          const p95 = percentile(pointsWithin(points, from, to).map(([, v]) => v), 95);
          return (
            <tr key={line.key} data-series={line.key}>
              <th scope="row" title={line.key}>
                <span className="series-key">
                  <Swatch index={i} /> <code>{line.key}</code>
                </span>
              </th>
              <td data-testid="last">{format(stats?.last)}</td>
              <td data-testid="min">{format(stats?.min)}</td>
              <td data-testid="max">{format(stats?.max)}</td>
              <td data-testid="mean">{format(stats?.mean)}</td>
              <td data-testid="p95">{format(p95)}</td>
              <td data-testid="count">{stats?.count ?? 0}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
