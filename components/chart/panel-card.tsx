import { Suspense, lazy, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import { defaultSort, legendOrder, statsWithin, undrawn, DRAWN_MAX, type BucketSeries, type LegendSort, type LegendSortKey, type Panel, type TimeRange } from '@/lib/dashboard';
import { Legend } from './legend';
import { LiveChart, type ChartMarks } from './live-chart';
import type { LiveSeries } from '../live/live-store';
import { ZoomSurface } from './zoom-surface';
import { LazyBoundary } from '../common/lazy-boundary';
import { NavLink } from '../common/nav-link';

// Loaded when first asked for (first-load JS budget).
const Heatmap = lazy(() => import('./heatmap').then((m) => ({ default: m.Heatmap })));
const PanelOptionsForm = lazy(() => import('../controls/panel-options-form').then((m) => ({ default: m.PanelOptionsForm })));

export interface PanelCardProps {
  panel: Panel;
  series: readonly (LiveSeries | undefined)[];
  /** A histogram panel's buckets per label set shown: what its heatmap view draws. */
  buckets?: readonly (readonly BucketSeries[])[];
  /** How the panel is drawn (kept in the URL by the page), and a change of it. */
  options: PanelOptions;
  onOptions: (options: PanelOptions) => void;
  from: number;
  to: number;
  /** The newest time on the page (server time), for marking stale lines. */
  newest: number;
  hydrated: boolean;
  onZoom: (range: TimeRange) => void;
  onReset: () => void;
  /** A page's one large chart (a metric's page): 380 px rather than 190. */
  large?: boolean;
  /** The instance the page shows (said on a saved picture). */
  instance?: string;
  /** Lines the reader switched off (kept in the URL by the page), and a change of them. */
  hidden: ReadonlySet<string>;
  onHidden: (hidden: ReadonlySet<string>) => void;
  /** For a panel the reader added (a query panel): the link to the same view without it. */
  removeHref?: string;
  /** Alert rules' thresholds and firing periods drawn over it. */
  marks?: ChartMarks;
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
export function PanelCard({ panel: laidOut, series, buckets, options, onOptions, from, to, newest, hydrated, onZoom, onReset, large = false, instance, hidden, onHidden, removeHref, marks }: PanelCardProps) {
  const height = large ? 380 : 190;
  const [editing, setEditing] = useState(false);
  const optionsButton = useRef<HTMLButtonElement>(null);
  const closeOptions = () => {
    setEditing(false);
    optionsButton.current?.focus();
  };
  // The unit the reader chose, if any: legend, axis and tooltip all speak it.
  const panel = useMemo(() => (options.unit ? { ...laidOut, unit: options.unit } : laidOut), [laidOut, options.unit]);
  const heatable = panel.family?.kind === 'histogram' && buckets !== undefined;
  const heat = heatable && options.heatmap === true;
  const [ref, visible, width] = useOnScreen<HTMLDivElement>();
  const setHidden = (change: (h: ReadonlySet<string>) => ReadonlySet<string>) => onHidden(change(hidden));
  // Lines past the first DRAWN_MAX switched on one by one, and whether all are drawn.
  // A view restored from a link with lines switched off draws exactly the others, past DRAWN_MAX
  // too (a line shown alone in a 30-line panel was not among the top 10 the legend would draw).
  const [pinned, setPinned] = useState<ReadonlySet<string>>(() => (hidden.size > 0 ? new Set(laidOut.lines.map((l) => l.key).filter((k) => !hidden.has(k))) : new Set()));
  const [all, setAll] = useState(false);
  const [chosenSort, setSort] = useState<LegendSort | null>(null);
  const sort = chosenSort ?? defaultSort(panel.lines.length, panel.family !== undefined);
  const stats = useMemo(() => series.map((s) => statsWithin(s?.points ?? [], from, to) ?? undefined), [series, from, to]);
  const labels = panel.lines.map((l) => l.label);
  const order = legendOrder(labels, stats, sort);
  const off = undrawn(
    panel.lines.map((l) => l.key),
    order,
    hidden,
    pinned,
    all,
  );
  const offKey = [...off].join('\n');
  // A stable set while the same lines are off: the chart redraws only when what it draws changes.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableOff = useMemo(() => off, [offKey]);
  const toggle = (key: string, solo: boolean) => {
    if (solo) {
      setHidden((h) => nextHidden(h, keys, key, true));
      setPinned(new Set([key]));
      return;
    }
    if (off.has(key)) {
      setHidden((h) => {
        const next = new Set(h);
        next.delete(key);
        return next;
      });
      if (panel.lines.length > DRAWN_MAX) setPinned((p) => new Set(p).add(key));
    } else {
      setHidden((h) => new Set(h).add(key));
      setPinned((p) => {
        const next = new Set(p);
        next.delete(key);
        return next;
      });
    }
  };
  const sortBy = (by: LegendSortKey) => setSort(sort.by === by && !sort.laidOut ? { by, desc: !sort.desc } : { by, desc: by !== 'name' });
  const [saveError, setSaveError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const keys = panel.lines.map((l) => l.key);
  const save = () => {
    setSaveError(null);
    const el = section.current;
    // Loaded on first use: it is not needed to show the dashboard (first-load JS budget).
    // The lines drawn, in legend order, for the picture's legend.
    // A heatmap has no lines to tell apart: its picture says so in the title.
    const lines = heat ? [] : order.filter((i) => !off.has(panel.lines[i]!.key)).map((i) => ({ label: panel.lines[i]!.label, index: i }));
    const info = { title: heat ? `${panel.title} (bucket heatmap)` : panel.title, instance, from, to, lines };
    if (el) import('./save-png').then(({ saveChartAsPng }) => saveChartAsPng(el, info)).catch((e: Error) => setSaveError(e.message));
  };
  return (
    <section ref={section} className="panel" data-panel={panel.id} aria-labelledby={`panel-${panel.id}`}>
      <header className="panel-head">
        <h2 id={`panel-${panel.id}`} title={panel.description}>
          {panel.metrics.length === 1 && !large ? <NavLink href={`/metrics/${encodeURIComponent(panel.metrics[0] as string)}`}>{panel.title}</NavLink> : panel.title}
        </h2>
        {hydrated && heatable && (
          <button type="button" className="panel-action" aria-pressed={heat} onClick={() => onOptions({ ...options, heatmap: !heat || undefined })} title="Bucket rates over time instead of the quantile lines">
            Heatmap
          </button>
        )}
        {hydrated && (
          <button
            ref={optionsButton}
            type="button"
            className="panel-action"
            aria-expanded={editing}
            // Options set show as a highlighted button (and say so to a screen reader), not as a toggle's pressed state.
            data-set={Object.keys(options).some((k) => k !== 'heatmap') || undefined}
            onClick={() => setEditing((e) => !e)}
            aria-label={`Display options of ${panel.title}${Object.keys(options).some((k) => k !== 'heatmap') ? ' (options set)' : ''}`}
            title="Stacked, percent, log scale, y bounds, unit"
          >
            Options
          </button>
        )}
        {hydrated && (
          <button type="button" className="panel-action" onClick={save} aria-label={`Save ${panel.title} as PNG`} title="Save as PNG">
            PNG
          </button>
        )}
        {removeHref !== undefined && (
          <NavLink href={removeHref} className="panel-action" aria-label={`Remove the panel ${panel.title}`} title="Remove this panel">
            Remove
          </NavLink>
        )}
      </header>
      {saveError && <p role="alert" className="panel-note">Could not save: {saveError}</p>}
      {editing && (
        <LazyBoundary what="display options">
          <Suspense>
            <PanelOptionsForm title={panel.title} options={options} unit={laidOut.unit} onChange={onOptions} onClose={closeOptions} />
          </Suspense>
        </LazyBoundary>
      )}
      <Legend
        panel={panel}
        series={series}
        stats={stats}
        order={order}
        sort={sort}
        onSort={sortBy}
        newest={newest}
        off={stableOff}
        all={all}
        onAll={setAll}
        onToggle={toggle}
        hydrated={hydrated}
      />
      <div className={large ? 'chart chart-large' : 'chart'} ref={ref}>
        <ZoomSurface from={from} to={to} onZoom={onZoom} onReset={onReset}>
          {heat ? (
            // Drawn once the chart is measured: unmeasured, every cell would sit at the axis.
            width > 0 ? (
              <LazyBoundary what="heatmap">
                <Suspense fallback={<div style={{ height }} />}>
                  <Heatmap histograms={buckets} unit={panel.unit} title={panel.title} from={from} to={to} width={width} height={height} hydrated={hydrated} />
                </Suspense>
              </LazyBoundary>
            ) : (
              <div style={{ height }} />
            )
          ) : (
            <LiveChart panel={panel} series={series} hidden={stableOff} from={from} to={to} width={width} hydrated={hydrated} visible={visible} options={options} height={height} marks={marks} />
          )}
        </ZoomSurface>
      </div>
    </section>
  );
}
