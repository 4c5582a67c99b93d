import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Panel } from '@/lib/dashboard';
import { formatValue } from '@/lib/units';
import { formatClock } from './format-time';
import { LiveChart, colorOf } from './live-chart';
import type { LiveSeries } from './live-store';

interface PanelCardProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  from: number;
  to: number;
  hydrated: boolean;
}

/**
 * A series is stale when its newest point is older than three of its own intervals (at least
 * 5 s), measured against the newest point on the page — server time, so clock skew cannot fake it.
 */
function isStale(points: LiveSeries['points'] | undefined, newest: number): boolean {
  const last = points?.at(-1)?.[0];
  if (last === undefined) return false;
  const previous = points?.at(-2)?.[0];
  const interval = previous === undefined ? 1_000 : last - previous;
  return newest - last > Math.max(5_000, 3 * interval);
}

/** Whether an element is on (or near) the screen; true until the observer says otherwise. */
function useOnScreen<T extends Element>(): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) => setVisible(entry?.isIntersecting ?? true), { rootMargin: '200px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, visible];
}

/** A panel: title, each line's latest value as text (readable without JavaScript), and its chart. */
export function PanelCard({ panel, series, from, to, hydrated }: PanelCardProps) {
  const [ref, visible] = useOnScreen<HTMLElement>();
  return (
    <section ref={ref} className="panel" data-panel={panel.id} aria-labelledby={`panel-${panel.id}`}>
      <header className="panel-head">
        <h2 id={`panel-${panel.id}`} title={panel.description}>
          {panel.title}
        </h2>
      </header>
      <ul className="legend">
        {panel.lines.map((line, i) => {
          const last = series[i]?.points.at(-1);
          const stale = isStale(series[i]?.points, to);
          return (
            <li
              key={line.key}
              title={stale && last ? `${line.key}: no update since ${formatClock(last[0], hydrated)}` : line.key}
              data-series={line.key}
              data-stale={stale || undefined}
            >
              <span className="swatch" style={{ background: colorOf(i) }} aria-hidden />
              <span className="legend-label">{line.label}</span>
              <span className="legend-value" data-testid="value">
                {last ? formatValue(last[1], panel.unit) : '–'}
              </span>
              {stale && <span className="stale-tag">stale</span>}
            </li>
          );
        })}
      </ul>
      <div className="chart">
        <LiveChart panel={panel} series={series} from={from} to={to} hydrated={hydrated} visible={visible} />
      </div>
    </section>
  );
}
