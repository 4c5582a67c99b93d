import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Panel, TimeRange } from '@/lib/dashboard';
import { Legend } from './legend';
import { LiveChart } from './live-chart';
import type { LiveSeries } from './live-store';
import { ZoomSurface } from './zoom-surface';
import { NavLink } from './nav-link';

interface PanelCardProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  from: number;
  to: number;
  /** The newest time on the page (server time), for marking stale lines. */
  newest: number;
  hydrated: boolean;
  onZoom: (range: TimeRange) => void;
  onReset: () => void;
}

/** Whether an element is on (or near) the screen, and its width; visible until the observer says otherwise. */
function useOnScreen<T extends Element>(): [RefObject<T | null>, boolean, number] {
  const ref = useRef<T>(null);
  const [visible, setVisible] = useState(true);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(([entry]) => setVisible(entry?.isIntersecting ?? true), { rootMargin: '200px' });
    const resize = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 0)));
    observer.observe(el);
    resize.observe(el);
    return () => {
      observer.disconnect();
      resize.disconnect();
    };
  }, []);
  return [ref, visible, width];
}

/** Which lines a legend click leaves hidden: toggle one, or (solo) show only it, or all again. */
function nextHidden(hidden: ReadonlySet<string>, keys: readonly string[], key: string, solo: boolean): ReadonlySet<string> {
  if (!solo) {
    const next = new Set(hidden);
    if (!next.delete(key)) next.add(key);
    return next;
  }
  const alone = !hidden.has(key) && keys.every((k) => k === key || hidden.has(k));
  return alone ? new Set() : new Set(keys.filter((k) => k !== key));
}

/** A panel: title, a legend with each line's figures (readable without JavaScript), and its chart. */
export function PanelCard({ panel, series, from, to, newest, hydrated, onZoom, onReset }: PanelCardProps) {
  const [ref, visible, width] = useOnScreen<HTMLDivElement>();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const [saveError, setSaveError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const keys = panel.lines.map((l) => l.key);
  const save = () => {
    setSaveError(null);
    const el = section.current;
    // Loaded on first use: it is not needed to show the dashboard (first-load JS budget).
    if (el) import('./save-png').then(({ saveChartAsPng }) => saveChartAsPng(el, panel.title)).catch((e: Error) => setSaveError(e.message));
  };
  return (
    <section ref={section} className="panel" data-panel={panel.id} aria-labelledby={`panel-${panel.id}`}>
      <header className="panel-head">
        <h2 id={`panel-${panel.id}`} title={panel.description}>
          {panel.metrics.length === 1 ? <NavLink href={`/metrics/${encodeURIComponent(panel.metrics[0] as string)}`}>{panel.title}</NavLink> : panel.title}
        </h2>
        {hydrated && (
          <button type="button" className="panel-action" onClick={save} aria-label={`Save ${panel.title} as PNG`} title="Save as PNG">
            PNG
          </button>
        )}
      </header>
      {saveError && <p role="alert" className="panel-note">Could not save: {saveError}</p>}
      <Legend
        panel={panel}
        series={series}
        from={from}
        to={to}
        newest={newest}
        hidden={hidden}
        onToggle={(key, solo) => setHidden((h) => nextHidden(h, keys, key, solo))}
        hydrated={hydrated}
      />
      <div className="chart" ref={ref}>
        <ZoomSurface from={from} to={to} onZoom={onZoom} onReset={onReset}>
          <LiveChart panel={panel} series={series} hidden={hidden} from={from} to={to} width={width} hydrated={hydrated} visible={visible} />
        </ZoomSurface>
      </div>
    </section>
  );
}
