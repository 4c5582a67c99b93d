import type { Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { LiveChart, colorOf } from './live-chart';
import type { LiveSeries } from './live-store';

interface PanelCardProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  from: number;
  to: number;
  hydrated: boolean;
}

/** A panel: title, each line's latest value as text (readable without JavaScript), and its chart. */
export function PanelCard({ panel, series, from, to, hydrated }: PanelCardProps) {
  return (
    <section className="panel" data-panel={panel.id} aria-labelledby={`panel-${panel.id}`}>
      <header className="panel-head">
        <h2 id={`panel-${panel.id}`} title={panel.description}>
          {panel.title}
        </h2>
      </header>
      <ul className="legend">
        {panel.lines.map((line, i) => {
          const last = series[i]?.points.at(-1);
          return (
            <li key={line.key} title={line.key} data-series={line.key}>
              <span className="swatch" style={{ background: colorOf(i) }} aria-hidden />
              <span className="legend-label">{line.label}</span>
              <span className="legend-value" data-testid="value">
                {last ? formatValue(last[1], panel.unit) : '–'}
              </span>
            </li>
          );
        })}
      </ul>
      <div className="chart">
        <LiveChart panel={panel} series={series} from={from} to={to} hydrated={hydrated} />
      </div>
    </section>
  );
}
