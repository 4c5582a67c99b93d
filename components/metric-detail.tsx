'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import type { MetricDetail } from '@/lib/api';
import { metricPanel } from '@/lib/dashboard';
import { LiveChart } from './live-chart';
import { PanelBoundary } from './panel-boundary';
import { SeriesTable } from './series-table';
import { newestIn, shown } from './series-view';
import { StatusBadge } from './status-badge';
import { ThemeToggle } from './theme-toggle';
import { useHydrated } from './use-hydrated';
import { useLiveData } from './use-live-data';
import { NavLink } from './nav-link';

const NO_HIDDEN: ReadonlySet<string> = new Set();

/** A metric's page: a large live chart of its series, their statistics, and its raw history as CSV. */
export function MetricDetailView({ detail }: { detail: MetricDetail }) {
  const { name, window: timeWindow, presets, snapshot } = detail;
  const { state } = useLiveData(snapshot);
  const hydrated = useHydrated();
  const chart = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = chart.current;
    if (!el) return;
    const resize = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 0)));
    resize.observe(el);
    return () => resize.disconnect();
  }, []);

  const mine = [...state.series.values()].filter((s) => s.meta.name === name);
  const signature = mine.map((s) => s.meta.key).join('\n');
  // Re-layout only when the set of series changes, not on every point.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const panel = useMemo(() => metricPanel(name, mine.map((s) => s.meta)), [name, signature]);
  const series = panel.lines.map((l) => shown(state.series.get(l.key), panel.rate));
  const to = newestIn(state, snapshot.takenAt);
  const from = to - timeWindow.ms;
  const windows = presets.some((p) => p.label === timeWindow.label) ? presets : [...presets, timeWindow];
  const meta = mine[0]?.meta;
  const help = state.metrics.get(name)?.help;

  return (
    <div className="dashboard detail">
      <header className="topbar">
        <div className="brand">
          <NavLink href="/" className="back">
            ← Dashboard
          </NavLink>
          <h1>{name}</h1>
          {meta && (
            <span className="instance">
              {meta.type}, {panel.rate ? `charted as a rate (${panel.unit})` : meta.unit}
            </span>
          )}
        </div>
        <div className="controls">
          <nav className="windows" aria-label="Time window">
            {windows.map((w) => (
              <NavLink
                key={w.label}
                href={`/metrics/${encodeURIComponent(name)}?window=${w.label}`}
                replace
                aria-current={w.label === timeWindow.label ? 'page' : undefined}
                className="window-link"
              >
                {w.label}
              </NavLink>
            ))}
          </nav>
          <a className="control" href={`/api/export?metric=${encodeURIComponent(name)}`} download={`${name}.csv`}>
            Download CSV
          </a>
          <StatusBadge
            status={state.status}
            attempt={state.attempt}
            lastUpdate={state.lastEventAt ?? snapshot.takenAt}
            resetAt={state.resetAt}
            hydrated={hydrated}
          />
          <ThemeToggle />
        </div>
      </header>
      <main>
        {help && <p className="help">{help}</p>}
        <PanelBoundary title={name}>
          <section className="panel" aria-label={`${name} chart`} data-panel={panel.id}>
            <div className="chart chart-large" ref={chart}>
              <LiveChart panel={panel} series={series} hidden={NO_HIDDEN} from={from} to={to} width={width} hydrated={hydrated} visible height={380} />
            </div>
          </section>
        </PanelBoundary>
        <h2 className="section-title">Series over the last {timeWindow.label}</h2>
        <div className="table-scroll">
          <SeriesTable panel={panel} series={series} from={from} to={to} />
        </div>
        <p className="hint">
          The CSV holds the raw history of every series of this metric, as far back as the server keeps it (
          <code>series,timestamp_ms,time_utc,value</code>).
        </p>
      </main>
    </div>
  );
}
