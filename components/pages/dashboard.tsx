'use client';

import { useRouter } from 'next/navigation';
import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import type { DashboardData } from '@/lib/api';
import { Account } from '../controls/account';
import { layoutPanels, SECTIONS, type Panel } from '@/lib/dashboard';
import { DashboardSection, useCollapsedSections } from './dashboard-section';
import { sectionAlerts } from '../live/section-alerts';
import { alertMarks } from '../live/alert-states';
import { AlertCount } from '../controls/alert-count';
import type { ChartMarks } from '../chart/live-chart';
import type { AlertRuleMark } from '@/lib/api/dashboard';
import { TargetList } from './target-list';
import { filterShapeProblem, filterTerms } from '@/lib/dashboard/filter-terms';
import { MAX_HIDDEN_LINES, type PanelOptions } from '@/lib/dashboard/panel-options';
import { QUERY_PANELS_MAX, type QueryPanelRef } from '@/lib/dashboard/query-panel-ref';
import { viewQuery, type TimeRange } from '@/lib/dashboard/view-query';
import { LiveControl } from '../controls/live-control';
import type { LiveState } from '../live/live-store';
import { MetricFilter } from '../controls/metric-filter';
import { PanelBoundary } from '../chart/panel-boundary';
import { PanelCard } from '../chart/panel-card';
import { newestIn, panelSeries } from '../live/series-view';
import { StatusBadge } from '../controls/status-badge';
import { ThemeToggle } from '../controls/theme-toggle';
import { useHydrated } from '../common/use-hydrated';
import { useEscapeToLive } from '../controls/use-escape-to-live';
import { useLiveData } from '../live/use-live-data';
import { WindowPicker } from '../controls/window-picker';
import { LazyBoundary } from '../common/lazy-boundary';
import { HiddenFields } from '../common/hidden-fields';
import { NavLink } from '../common/nav-link';

// Typing pauses this long before a filter the page's data does not cover fetches it again.
const REFETCH_AFTER_MS = 400;

/**
 * Whether a page rendered for filter `rendered` holds every series `applied` can show: the server
 * sends only the series of the panels its filter shows, and a filter with all of its terms (and
 * more) shows no panel it does not.
 */
function covers(rendered: string, applied: string): boolean {
  if (rendered === '') return true;
  const terms = new Set(filterTerms(applied));
  return filterTerms(rendered).every((t) => terms.has(t));
}

type Matcher = (panels: readonly Panel[]) => Panel[];

const NO_OPTIONS: PanelOptions = {};
const NO_LINES: ReadonlySet<string> = new Set();

/**
 * The filter's matcher (lib/dashboard/filter.ts and the glob engine), loaded when a filter is
 * first used (first-load JS budget): null until then. Until it comes, a page rendered for the
 * filter it applies needs none: the server sent only the series of what it shows, which laid out
 * again are those panels and lines, but for a histogram's or summary's (sent whole: their lines
 * are computed from every series of their label set), of which the server names the lines kept.
 */
function useMatcher(applied: string, wanted: boolean): Matcher | null {
  const [mod, setMod] = useState<{ filterPanels: (filter: string) => Matcher } | null>(null);
  // A failed load is tried again, a little later each time (the filter applies once it comes).
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!wanted || mod) return;
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    import('@/lib/dashboard/filter').then(
      (m) => live && setMod({ filterPanels: m.filterPanels }),
      () => {
        if (live) retry = setTimeout(() => setAttempt((a) => a + 1), Math.min(30_000, 1_000 * 2 ** attempt));
      },
    );
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [wanted, mod, attempt]);
  return useMemo(() => (mod ? mod.filterPanels(applied) : null), [mod, applied]);
}

// Loaded with the first query panel on the page (first-load JS budget).
const QueryPanelCard = lazy(() => import('../chart/query-panel-card').then((m) => ({ default: m.QueryPanelCard })));

/** Steps a query panel's aggregated lines are computed at over the window (at least COLLECT_INTERVAL apart). */
const QUERY_STEPS = 600;

/** A query panel before its code has come: its title, no lines. */
const pendingQueryPanel = (q: QueryPanelRef): Panel => ({ id: q.id, title: q.text, unit: 'none', metrics: [], lines: [] });

// Loaded with the first histogram or summary on the page (first-load JS budget).
const FamilyPanelCard = lazy(() => import('../chart/family-panel-card').then((m) => ({ default: m.FamilyPanelCard })));

// Opened on use; its button shows once it is there (first-load JS budget).
const RangeForm = lazy(() => import('../controls/range-form').then((m) => ({ default: m.RangeForm })));

// Loaded only when there is nothing to chart (first-load JS budget).
const EmptyState = lazy(() => import('./empty-state').then((m) => ({ default: m.EmptyState })));

/**
 * A paused view: the range shown and the data as it was when pausing (new data keeps arriving in
 * the store). Null data: the range came from the URL with a new snapshot, drawn as the store has it.
 */
interface Paused {
  range: TimeRange;
  state: LiveState | null;
}

/** The live dashboard: starts from the server's snapshot, then appends what the stream brings. */
export function Dashboard({ data }: { data: DashboardData }) {
  const { store, state } = useLiveData(data.snapshot);
  const hydrated = useHydrated();

  // The view (paused range, filter) starts from the URL, and starts over when the server renders
  // a new one (a window link was followed).
  const [view, setView] = useState(data.view);
  const [paused, setPaused] = useState<Paused | null>(() => (data.view.range ? { range: data.view.range, state: store.getState() } : null));
  const [filter, setFilter] = useState(data.view.filter);
  // How each panel is drawn (Options…, Heatmap): kept in the URL as `p.<panel id>=…`.
  const [panelOptions, setPanelOptions] = useState(data.view.panels);
  // Lines switched off in each panel's legend: kept in the URL as `h.<panel id>=<keys>`.
  const [hiddenLines, setHiddenLines] = useState(data.view.hidden);
  // A link's filter too long to repeat in the input is said so until something else is typed.
  const [linkProblem, setLinkProblem] = useState(data.view.filterProblem);
  // The filter a refetch of this page's data was asked for (see below), until its data comes.
  const [refetching, setRefetching] = useState<string | null>(null);
  if (view !== data.view) {
    setView(data.view);
    if (refetching !== null && data.view.filter === refetching) {
      // Only the data is new: what is typed and the pause stay (a paused view draws the store, which now holds it).
      setRefetching(null);
      setPaused((p) => (p ? { range: p.range, state: null } : null));
    } else {
      setPaused(data.view.range ? { range: data.view.range, state: null } : null);
      setFilter(data.view.filter);
      setPanelOptions(data.view.panels);
      setHiddenLines(data.view.hidden);
      setLinkProblem(data.view.filterProblem);
    }
  }
  const changeFilter = (value: string) => {
    setFilter(value);
    setLinkProblem(null);
  };
  const problem = filterShapeProblem(filter, data.limits) ?? linkProblem;
  // Over the limits, the filter is not applied: every chart is shown, with the problem beside it.
  const applied = problem ? '' : filter;
  useEffect(() => store.hold(paused?.range.from ?? null), [store, paused]);
  // Past MAX_HIDDEN_LINES in a panel (a line shown alone among many) the URL does not keep them:
  // such a link would outgrow what servers take in a request line.
  const urlHidden = useMemo(() => Object.fromEntries(Object.entries(hiddenLines).filter(([, keys]) => keys.length <= MAX_HIDDEN_LINES)), [hiddenLines]);
  const queries = data.view.queries;
  const query = viewQuery({ window: data.view.window, range: paused?.range ?? null, filter, queries, panels: panelOptions, hidden: urlHidden }, data.defaultWindow);
  const setHidden = (id: string, keys: ReadonlySet<string>) =>
    setHiddenLines((all) => {
      const next = { ...all };
      if (keys.size === 0) delete next[id];
      else next[id] = [...keys];
      return next;
    });
  const setOptions = (id: string, options: PanelOptions) =>
    setPanelOptions((all) => {
      const next = { ...all };
      if (Object.keys(options).length === 0) delete next[id];
      else next[id] = options;
      return next;
    });
  useEffect(() => {
    if (window.location.search !== query) window.history.replaceState(null, '', `/${query}`);
  }, [query]);
  // The page holds the series of the panels its filter showed; a filter that may show others gets them from the server.
  const router = useRouter();
  const rendered = data.view.filterProblem ? '' : data.view.filter;
  useEffect(() => {
    if (covers(rendered, applied)) return;
    const timer = setTimeout(() => {
      setRefetching(filter);
      router.replace(`/${query}`, { scroll: false });
    }, REFETCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [rendered, applied, filter, query, router]);

  const shownState = paused?.state ?? state;
  const signature = [...shownState.series.values()].map((s) => `${s.meta.key} ${s.meta.unit} ${s.meta.type}`).join('\n');
  const panels = useMemo(
    () => layoutPanels([...shownState.series.values()].map((s) => s.meta)),
    // Re-layout only when the set of series changes, not on every point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [signature],
  );
  const hiddenSets = useMemo(() => new Map(Object.entries(hiddenLines).map(([id, keys]) => [id, new Set(keys)])), [hiddenLines]);
  const [filterWanted, setFilterWanted] = useState(false);
  const matcher = useMatcher(applied, filterWanted || applied !== '');
  const familyLines = rendered === applied ? data.familyLines : null;
  const filterShown = useMemo(() => (rendered === applied && data.filterShown ? new Set(data.filterShown) : null), [rendered, applied, data.filterShown]);
  const matching = useMemo(() => {
    if (!applied) return panels;
    if (matcher) return matcher(panels);
    // With query panels the page also carries the series they read: until the matcher comes, the server said which the filter shows.
    if (filterShown) return panels.map((p) => ({ ...p, lines: p.lines.filter((l) => filterShown.has(l.key)) })).filter((p) => p.lines.length > 0);
    if (!familyLines) return panels;
    // Until the matcher comes: a histogram is sent whole, and the server said which of its lines the filter keeps.
    const kept = new Set(familyLines);
    return panels.map((p) => (p.family ? { ...p, lines: p.lines.filter((l) => kept.has(l.key)) } : p)).filter((p) => p.lines.length > 0);
  }, [matcher, applied, panels, familyLines, filterShown]);

  // The x-axis ends at the newest point (server time), so a skewed client clock cannot hide data.
  const newest = newestIn(shownState, data.snapshot.takenAt);
  const from = paused ? paused.range.from : newest - data.view.window.ms;
  const to = paused ? paused.range.to : newest;
  const zoom = (range: TimeRange) => setPaused((p) => ({ range, state: p?.state ?? store.getState() }));
  const goLive = () => setPaused(null);
  const showRange = (range: TimeRange) => {
    // Within what the browser holds: zoom here. Older: the server renders a snapshot reaching back to it.
    if (range.from >= newest - state.windowMs) return zoom(range);
    router.replace(`/${viewQuery({ window: data.view.window, range, filter, queries, panels: panelOptions, hidden: urlHidden }, data.defaultWindow)}`, { scroll: false });
  };
  const pause = () => {
    const now = store.getState();
    const end = newestIn(now, data.snapshot.takenAt);
    setPaused({ range: { from: end - data.view.window.ms, to: end }, state: now });
  };
  useEscapeToLive(paused !== null, setPaused);
  const [collapsed, toggleSection] = useCollapsedSections();
  // A disk filling up, an interface dropping packets, a target down: said on the section's heading.
  const alerts = useMemo(() => sectionAlerts(shownState), [shownState]);
  // Alert states from the ALERTS series: the header's count, and each rule's firing periods.
  const fired = useMemo(() => alertMarks(shownState, newest, Math.max(30_000, 3 * data.alertEvalMs)), [shownState, newest, data.alertEvalMs]);
  const markedPanels = useMemo(() => [...panels, ...queries.map(pendingQueryPanel)], [panels, queries]);
  const marks = useMarks(data.alertRules, fired.firing, markedPanels);

  // What every panel gets, whatever draws its lines.
  const cardProps = (panel: Panel) => ({
    from,
    to,
    newest,
    hydrated,
    onZoom: zoom,
    onReset: goLive,
    options: panelOptions[panel.id] ?? NO_OPTIONS,
    onOptions: (options: PanelOptions) => setOptions(panel.id, options),
    instance: data.instance,
    hidden: hiddenSets.get(panel.id) ?? NO_LINES,
    onHidden: (keys: ReadonlySet<string>) => setHidden(panel.id, keys),
    marks: marks.get(panel.id),
  });

  return (
    <div className="dashboard">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◢
          </span>
          <h1>Pulseboard</h1>
          <span className="instance" title="instance">
            {data.instance}
          </span>
          <NavLink href={filter ? `/metrics?q=${encodeURIComponent(filter)}` : '/metrics'} className="nav-link">
            Metrics
          </NavLink>
          <AlertCount counts={fired.counts} rules={data.alertRuleCount} />
          <Account account={data.account} />
        </div>
        <div className="controls">
          <WindowPicker presets={data.presets} current={data.view.window} href={(label) => `/${viewQuery({ window: { label, ms: 0 }, range: null, filter, queries, panels: panelOptions, hidden: urlHidden }, '')}`} paused={paused !== null} />
          <LiveControl range={paused?.range ?? null} onPause={pause} onLive={goLive} hydrated={hydrated} />
          {hydrated && (
            <LazyBoundary what="range form">
            <Suspense fallback={<span className="control range-form-placeholder">Range…</span>}>
              <RangeForm from={from} to={to} oldest={Math.max(data.oldestAt ?? -Infinity, newest - data.retentionMs)} onRange={showRange} />
            </Suspense>
            </LazyBoundary>
          )}
          <MetricFilter value={filter} onChange={changeFilter} problem={problem} onFocus={() => setFilterWanted(true)} />
          <StatusBadge
            status={state.status}
            attempt={state.attempt}
            bus={state.bus}
            lastUpdate={state.lastEventAt ?? data.snapshot.takenAt}
            resetAt={state.resetAt}
            hydrated={hydrated}
          />
          <ThemeToggle />
        </div>
      </header>
      {data.view.windowNote && (
        <p className="filter-problem window-note" role="status" data-testid="window-note">
          {data.view.windowNote}
        </p>
      )}
      {data.view.panelNote && (
        <p className="filter-problem window-note" role="status" data-testid="panel-note">
          {data.view.panelNote}
        </p>
      )}
      {/* A page rendered for a filter carries only what matches: with none, there may still be metrics. */}
      {panels.length === 0 && queries.length === 0 && (!filter || data.seriesHeld === 0) ? (
        <main>
          <Suspense>
            <EmptyState>
              <h2>No metrics yet</h2>
              <p>The built-in collector publishes every {data.intervalMs / 1000} s.</p>
            </EmptyState>
          </Suspense>
        </main>
      ) : matching.length === 0 && queries.length === 0 ? (
        <main>
          <Suspense>
            <EmptyState>
              <h2>No chart matches “{filter}”</h2>
              <p>
                <button type="button" className="control" onClick={() => changeFilter('')}>
                  Clear the filter
                </button>
              </p>
            </EmptyState>
          </Suspense>
        </main>
      ) : (
        <main className="sections">
          {queries.length > 0 && (
            <div className="grid query-grid">
              {queries.map((q) => {
            // Without the panel, nor its options and hidden lines.
            const otherOptions = Object.fromEntries(Object.entries(panelOptions).filter(([id]) => id !== q.id));
            const otherHidden = Object.fromEntries(Object.entries(urlHidden).filter(([id]) => id !== q.id));
            const removeHref = `/${viewQuery({ window: data.view.window, range: paused?.range ?? null, filter, queries: queries.filter((other) => other !== q), panels: otherOptions, hidden: otherHidden }, data.defaultWindow)}`;
            if (q.problem) {
              return (
                <section key={q.id} className="panel query-problem" data-panel={q.id} aria-labelledby={`panel-${q.id}`}>
                  <header className="panel-head">
                    <h2 id={`panel-${q.id}`}>{q.text}</h2>
                    <NavLink href={removeHref} className="panel-action" aria-label={`Remove the panel ${q.text}`}>
                      Remove
                    </NavLink>
                  </header>
                  <p className="panel-note" role="status" data-testid="query-problem">
                    Not drawn: {q.problem}
                  </p>
                </section>
              );
            }
            const pending = pendingQueryPanel(q);
            return (
              <PanelBoundary key={q.id} title={q.text}>
                <Suspense fallback={<PanelCard panel={pending} series={[]} removeHref={removeHref} {...cardProps(pending)} />}>
                  <QueryPanelCard query={q} held={shownState.series} stepMs={Math.max(data.intervalMs, Math.ceil((to - from) / QUERY_STEPS))} removeHref={removeHref} {...cardProps(pending)} />
                </Suspense>
              </PanelBoundary>
            );
          })}
            </div>
          )}
          {SECTIONS.map(({ id, title }) => {
            const inSection = matching.filter((p) => (p.section ?? 'pushed') === id);
            if (inSection.length === 0 && !(id === 'targets' && data.targets.length > 0)) return null;
            return (
              <DashboardSection key={id} id={id} title={title} count={inSection.length} collapsed={collapsed.has(id)} onToggle={() => toggleSection(id)} alert={alerts.get(id) ?? null}>
                {id === 'targets' && data.targets.length > 0 && <TargetList initial={data.targets} held={shownState.series} />}
                {inSection.map((panel) => (
                  <PanelBoundary key={panel.id} title={panel.title}>
                    {panel.family ? (
                      <Suspense fallback={<PanelCard panel={panel} series={[]} {...cardProps(panel)} />}>
                        <FamilyPanelCard panel={panel} get={(key) => shownState.series.get(key)} {...cardProps(panel)} />
                      </Suspense>
                    ) : (
                      <PanelCard panel={panel} series={panelSeries(panel, (key) => shownState.series.get(key))} {...cardProps(panel)} />
                    )}
                  </PanelBoundary>
                ))}
              </DashboardSection>
            );
          })}
        </main>
      )}
      <QueryForm query={query} count={queries.length} />
    </div>
  );
}

/**
 * The alert marks of each panel: the thresholds of the rules reading one of its metrics (or whose
 * query is the panel's), and those rules' firing periods. Made again only when the rules, the
 * panels or the periods change, so charts are not handed new marks on every point.
 */
function useMarks(rules: readonly AlertRuleMark[], firing: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>, panels: readonly Panel[]): ReadonlyMap<string, ChartMarks> {
  const periods = JSON.stringify([...firing]);
  return useMemo(() => {
    const out = new Map<string, ChartMarks>();
    if (rules.length === 0) return out;
    const byRule = new Map<string, Array<[number, number]>>(JSON.parse(periods) as Array<[string, Array<[number, number]>]>);
    for (const panel of panels) {
      const mine = rules.filter((r) => r.query === panel.title || r.reads.some((name) => panel.metrics.includes(name)));
      if (mine.length === 0) continue;
      out.set(panel.id, {
        thresholds: mine.map((r) => ({ rule: r.name, y: r.threshold })),
        firing: mine.flatMap((r) => (byRule.get(r.name) ?? []).map(([a, b]) => ({ rule: r.name, from: a, to: b }))),
      });
    }
    return out;
  }, [rules, periods, panels]);
}

/**
 * Adds a panel from a query (docs/query.md): a plain GET form, so it works without JavaScript;
 * the view's other parameters ride along as hidden fields.
 */
function QueryForm({ query, count }: { query: string; count: number }) {
  return (
    <form className="query-form" method="get" action="/">
      <HiddenFields query={query} />
      <label htmlFor="query-input">Add a panel from a query</label>
      <input id="query-input" name="query" type="text" className="control" required placeholder="sum by (status) (http_requests_total)" spellCheck={false} autoComplete="off" />
      <button type="submit" className="control" disabled={count >= QUERY_PANELS_MAX}>
        Add panel
      </button>
    </form>
  );
}
