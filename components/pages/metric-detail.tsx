'use client';

import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import type { MetricDetail } from '@/lib/api';
import { metricPanel } from '@/lib/dashboard';
import { MAX_HIDDEN_LINES, type PanelOptions } from '@/lib/dashboard/panel-options';
import { viewQuery, type TimeRange } from '@/lib/dashboard/view-query';
import { compileSelector, matchersQuery, parseQuery, type SelectorNode } from '@/lib/query';
import { Account } from '../controls/account';
import { LiveControl } from '../controls/live-control';
import type { LiveState } from '../live/live-store';
import { PanelBoundary } from '../chart/panel-boundary';
import { PanelCard } from '../chart/panel-card';
import { SeriesTable } from '../chart/series-table';
import { newestIn, shown } from '../live/series-view';
import { StatusBadge } from '../controls/status-badge';
import { ThemeToggle } from '../controls/theme-toggle';
import { useHydrated } from '../common/use-hydrated';
import { useEscapeToLive } from '../controls/use-escape-to-live';
import { useLiveData } from '../live/use-live-data';
import { WindowPicker } from '../controls/window-picker';
import { LazyBoundary } from '../common/lazy-boundary';
import { HiddenFields } from '../common/hidden-fields';
import { NavLink } from '../common/nav-link';

// Opened on use (first-load JS).
const RangeForm = lazy(() => import('../controls/range-form').then((m) => ({ default: m.RangeForm })));

const NO_OPTIONS: PanelOptions = {};

/**
 * A metric's page: its panel as on the dashboard, large (legend with toggles and sorting, colour
 * key, zoom by dragging, pause, Range…, display options, PNG), each series' statistics, and its
 * raw history as CSV. The window, the panel's options and nothing else are in the URL.
 */
export function MetricDetailView({ detail }: { detail: MetricDetail }) {
  const { name, window: timeWindow, presets, snapshot } = detail;
  const { store, state } = useLiveData(snapshot);
  const hydrated = useHydrated();
  const [paused, setPaused] = useState<{ range: TimeRange; state: LiveState } | null>(null);
  const [options, setOptions] = useState<PanelOptions>(() => detail.panels[`metric:${name}`] ?? NO_OPTIONS);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set(detail.hidden[`metric:${name}`] ?? []));
  useEffect(() => store.hold(paused?.range.from ?? null), [store, paused]);

  const shownState = paused?.state ?? state;
  const match = detail.match;
  // The lines `?match=` keeps (the server has read it; one it refused is not applied).
  const selector = useMemo(() => (match.text && !match.problem ? compileSelector(parseQuery(matchersQuery(name, match.text)) as SelectorNode) : null), [name, match.text, match.problem]);
  const mine = [...shownState.series.values()].filter((s) => s.meta.name === name && (!selector || selector.matches(name, s.meta.labels)));
  const signature = mine.map((s) => s.meta.key).join('\n');
  // Re-layout only when the set of series changes, not on every point.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const panel = useMemo(() => metricPanel(name, mine.map((s) => s.meta)), [name, signature]);
  const series = panel.lines.map((l) => shown(shownState.series.get(l.key), panel.rate));
  const newest = newestIn(shownState, snapshot.takenAt);
  const from = paused ? paused.range.from : newest - timeWindow.ms;
  const to = paused ? paused.range.to : newest;
  const meta = mine[0]?.meta;
  const help = state.metrics.get(name)?.help;
  const kept = { panels: { [panel.id]: options }, hidden: { [panel.id]: hidden.size <= MAX_HIDDEN_LINES ? [...hidden] : [] } };
  const withMatch = (q: string) => (match.text && !match.problem ? `${q}${q ? '&' : '?'}match=${encodeURIComponent(match.text)}` : q);
  const query = (label: string) => withMatch(viewQuery({ window: { label, ms: 0 }, range: null, filter: '', ...kept }, ''));
  const search = withMatch(viewQuery({ window: timeWindow, range: null, filter: '', ...kept }, detail.defaultWindow));
  useEffect(() => {
    if (window.location.search !== search) window.history.replaceState(null, '', `${window.location.pathname}${search}`);
  }, [search]);

  const zoom = (range: TimeRange) => setPaused((p) => ({ range, state: p?.state ?? store.getState() }));
  const goLive = () => setPaused(null);
  const pause = () => {
    const now = store.getState();
    const end = newestIn(now, snapshot.takenAt);
    setPaused({ range: { from: end - timeWindow.ms, to: end }, state: now });
  };
  useEscapeToLive(paused !== null, setPaused);

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
          <Account account={detail.account} />
        </div>
        <div className="controls">
          <WindowPicker presets={presets} current={timeWindow} href={(label) => `/metrics/${encodeURIComponent(name)}${query(label)}`} paused={paused !== null} />
          <LiveControl range={paused?.range ?? null} onPause={pause} onLive={goLive} hydrated={hydrated} />
          {hydrated && (
            <LazyBoundary what="range form">
            <Suspense fallback={<span className="control range-form-placeholder">Range…</span>}>
              {/* Within what this page holds: the window it was opened with. */}
              <RangeForm from={from} to={to} oldest={detail.oldestAt} onRange={zoom} />
            </Suspense>
            </LazyBoundary>
          )}
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
        {detail.panelNote && (
          <p className="filter-problem window-note" role="status" data-testid="panel-note">
            {detail.panelNote}
          </p>
        )}
        {help && <p className="help">{help}</p>}
        <form className="query-form match-form" method="get" action={`/metrics/${encodeURIComponent(name)}`}>
          <HiddenFields query={search} omit="match" />
          <label htmlFor="match-input">Lines matching</label>
          <input id="match-input" name="match" type="text" className="control" defaultValue={match.text} placeholder={'status="500", route=~"/api*"'} spellCheck={false} autoComplete="off" />
          <button type="submit" className="control">
            Apply
          </button>
        </form>
        {match.problem && (
          <p className="filter-problem window-note" role="status" data-testid="match-problem">
            Lines matching {JSON.stringify(match.text)} not applied: {match.problem}
          </p>
        )}
        <PanelBoundary title={name}>
          <PanelCard
            panel={panel}
            series={series}
            options={options}
            onOptions={setOptions}
            from={from}
            to={to}
            newest={newest}
            hydrated={hydrated}
            onZoom={zoom}
            onReset={goLive}
            large
            hidden={hidden}
            onHidden={setHidden}
          />
        </PanelBoundary>
        <h2 className="section-title">Series over {paused ? 'the range shown' : `the last ${timeWindow.label}`}</h2>
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
