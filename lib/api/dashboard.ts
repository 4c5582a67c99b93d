import 'server-only';
import { layoutPanels, panelSources, rawHostSeries } from '@/lib/dashboard';
import { SNAPSHOT_POINTS, presetsWithin, toTimeWindow, type TimeWindow } from '@/lib/dashboard/windows';
import { filterPanels, panelTextChars } from '@/lib/dashboard/filter';
import { parseView, type View } from '@/lib/dashboard/view';
import { QUERY_PANEL_MAX_SERIES } from '@/lib/dashboard/query-panel-ref';
import { compileSelector, parseQuery, selectorsOf } from '@/lib/query';
import type { DataView } from '@/lib/access';
import type { QueryLimits, SeriesKey, SeriesMeta } from '@/lib/series';
import type { Store } from '@/lib/store';
import { ALERTS_NAME, type Snapshot } from '@/lib/wire';
import { visibleAlerts } from './alerts';
import { getRuntime } from '@/lib/runtime';
import { historySpan, withDiskHistory } from './history';
import { queryLimits, workLimit } from './limits';
import { visibleTargets } from './scrape';
import type { TargetStatus } from '@/lib/scrape/status';

const HOUR_MS = 3_600_000;

/** What the server-rendered dashboard hands to the browser. */
export interface DashboardData {
  view: View;
  /** Window presets within the retention, and the window a URL without `?window=` gets. */
  presets: TimeWindow[];
  defaultWindow: string;
  retentionMs: number;
  /** Time of the oldest point held (in memory or on disk), null with none: where Range… says history starts. */
  oldestAt: number | null;
  intervalMs: number;
  instance: string;
  /** The caps the browser checks the filter against as it is typed. */
  limits: QueryLimits;
  snapshot: Snapshot;
  /** Series held in all: a filtered snapshot may carry none while there are metrics to find. */
  seriesHeld: number;
  /**
   * With a filter applied, the keys of the histogram and summary lines it keeps: such a panel is
   * sent whole (its lines are computed from all of its group's series), and until the browser has
   * loaded the filter's code it draws these of them. Null without a filter.
   */
  familyLines: string[] | null;
  /**
   * With a filter applied and query panels on the page, the keys of the lines the filter keeps:
   * the page also carries the series the query panels read, which it may not show. Until the
   * browser has the filter's code it draws these lines. Null otherwise.
   */
  filterShown: string[] | null;
  /** Who is signed in (AUTH=password), or named by the proxy (AUTH=proxy); null under AUTH=none and for tokens. */
  account: Account | null;
  /** The scrape targets the viewer may see, as the server last saw them. */
  targets: TargetStatus[];
  /** The alert rules' thresholds, for the panels of what they read (none for a scoped viewer: rules are the operator's). */
  alertRules: AlertRuleMark[];
  /** ALERT_EVAL_INTERVAL: an ALERTS point older than a few of these is stale (the evaluator is gone). */
  alertEvalMs: number;
  /** How many alert rules are in force (the header says when there are none). */
  alertRuleCount: number;
}

/** What a chart needs of an alert rule: which metrics it reads, its threshold, its query. */
export interface AlertRuleMark {
  name: string;
  query: string;
  reads: string[];
  threshold: number;
  direction: 'above' | 'below';
}

/** The person a page is shown to. */
export interface Account {
  name: string;
  /** Whether Pulseboard can sign them out (AUTH=password: a session of its own). */
  signOut: boolean;
}

/** The account of a view's identity, for the page's header. */
export function accountOf(view: Pick<DataView, 'identity'>): Account | null {
  const { identity } = view;
  if (identity.kind === 'user') return { name: identity.name, signOut: true };
  if (identity.kind === 'proxy') return { name: identity.name, signOut: false };
  return null;
}

/**
 * The series of the panels a filter shows: laid out and matched as the browser does it
 * (layoutPanels, filterPanels), so a filtered page carries exactly its panels' lines' series. The
 * browser lays out a subset of these series (those the page carries; a histogram's lines are
 * computed from its buckets, sum and count, which are carried), and a panel that matches
 * over fewer texts matches over more: no panel it shows is missing here.
 */
function seriesShown(filter: string): (series: readonly SeriesMeta[]) => ReadonlySet<SeriesKey> {
  const shown = filterPanels(filter);
  return (series) => new Set(shown(layoutPanels(series)).flatMap(panelSources));
}

/**
 * The snapshot for `view`, taken with the cursor the client's stream continues from. A paused
 * range older than the window widens it back to the range's start. It holds the series of the
 * panels the view's filter shows, at most `maxTotal` (SNAPSHOT_MAX_POINTS) points in all, each
 * series fewer past it: 9,922 series made a 14 MB page.
 */
export function dashboardSnapshot(
  store: Pick<Store, 'snapshot'>,
  view: View,
  { retentionMs, maxTotal, choose = chooser(view) }: { retentionMs: number; maxTotal: number; choose?: Chooser | undefined },
): Snapshot {
  const reach = view.range ? Math.ceil(Date.now() - view.range.from) : 0;
  const snapshotMs = Math.min(retentionMs, Math.max(view.window.ms, reach));
  return store.snapshot(snapshotMs, SNAPSHOT_POINTS, { ...(choose && { choose }), maxTotal });
}

/**
 * Which series a page for `view` carries: with a filter applied (none when the link's is over the
 * limits: it is shown, not applied), those of the panels it shows and those its query panels read
 * (a query panel is not narrowed by the filter); without one, all (undefined).
 */
type Chooser = (series: readonly SeriesMeta[]) => ReadonlySet<SeriesKey>;

/** The alert states (ALERTS series) as well, whatever the filter: the header counts what fires. */
const withAlerts = (choose: Chooser): Chooser => (series) => {
  const keys = new Set(choose(series));
  for (const s of series) if (s.name === ALERTS_NAME) keys.add(s.key);
  return keys;
};

function chooser(view: View): Chooser | undefined {
  // Without a filter: every series a panel draws. The built-in collector's raw node_* series are
  // charted through their derived figures, so the page does not carry them (three quarters of the host's).
  const shown = !view.filter || view.filterProblem ? charted : withAlerts(seriesShown(view.filter));
  const selectors = view.queries.filter((q) => !q.problem).flatMap((q) => selectorsOf(parseQuery(q.text)).map(compileSelector));
  if (selectors.length === 0) return shown;
  return (series) => {
    const keys = new Set(shown(series));
    for (const s of series) if (selectors.some((m) => m.matches(s.name, s.labels))) keys.add(s.key);
    return keys;
  };
}

/** The series of `series` a dashboard panel draws: all but the built-in collectors' raw node_* series. */
function charted(series: readonly SeriesMeta[]): ReadonlySet<SeriesKey> {
  const collectors = new Set(series.filter((s) => s.name === 'host_cpu_utilization_ratio').map((s) => s.labels.instance ?? ''));
  return new Set(series.filter((s) => !rawHostSeries(s.name, s.labels, collectors)).map((s) => s.key));
}

/** Marks the query panels that read more than QUERY_PANEL_MAX_SERIES of `series` as not drawn, saying why. */
function refuseWideQueries(view: View, series: readonly SeriesMeta[]): void {
  for (const q of view.queries) {
    if (q.problem) continue;
    const selectors = selectorsOf(parseQuery(q.text)).map(compileSelector);
    let n = 0;
    for (const s of series) if (selectors.some((m) => m.matches(s.name, s.labels))) n++;
    if (n > QUERY_PANEL_MAX_SERIES) q.problem = `reads ${n} series; a query panel reads at most ${QUERY_PANEL_MAX_SERIES}: narrow its metric name or matchers (GET /api/query answers wider ones)`;
  }
}

/** The keys of every line `filter` keeps (a family's derived lines included), over the panels laid out from `series`. */
function shownLines(filter: string, series: readonly SeriesMeta[]): string[] {
  return filterPanels(filter)(layoutPanels(series)).flatMap((panel) => panel.lines.map((line) => line.key));
}

/** The keys of the family panels' lines `filter` keeps, over the panels laid out from `series`. */
function keptFamilyLines(filter: string, series: readonly SeriesMeta[]): string[] {
  return filterPanels(filter)(layoutPanels(series)).flatMap((panel) => (panel.family ? panel.lines.map((line) => line.key) : []));
}

/**
 * The oldest point time held, or null: the memory's exactly, or the disk's when that is more than
 * an hour older (the disk knows the hour its unsealed data starts in, not the point).
 */
function oldestHeld(store: Pick<Store, 'oldest'>, storage: { oldest(): number | undefined } | null | undefined): number | null {
  const memory = store.oldest();
  const disk = storage?.oldest();
  if (disk !== undefined && (memory === undefined || disk < memory - HOUR_MS)) return disk;
  return memory ?? null;
}

/** What the dashboard page for a URL's query renders with. */
export function dashboardData(data: DataView, params: Record<string, string | string[] | undefined>): DashboardData {
  const runtime = data;
  const { env, store } = runtime;
  // As far back as history is held (on disk beyond the hot tier); presets grow with it.
  const retentionMs = historySpan(env, runtime.storage);
  const presets = presetsWithin(retentionMs, env.HISTORY_RETENTION);
  const longest = presets.at(-1)?.ms ?? retentionMs;
  const limits = queryLimits(env);
  // A link's filter that could cost more than QUERY_MAX_WORK over every series' panels is not applied (the page says so).
  const work = params.q ? workLimit(env, store, panelTextChars(store.list().map((s) => s.meta))) : undefined;
  const view = parseView(params, Math.max(retentionMs, longest), limits, work, params.query ? workLimit(env, store) : undefined);
  const metas = store.list().map((s) => s.meta);
  if (view.queries.length > 0) refuseWideQueries(view, metas);
  // Built once: the hot snapshot and the series from disk are chosen alike.
  const choose = chooser(view);
  const snapshot = dashboardSnapshot(store, view, { retentionMs: env.HISTORY_RETENTION, maxTotal: env.SNAPSHOT_MAX_POINTS, choose });
  return {
    view,
    presets,
    defaultWindow: toTimeWindow(undefined, retentionMs).label,
    retentionMs,
    oldestAt: oldestHeld(store, runtime.storage),
    intervalMs: env.COLLECT_INTERVAL,
    // The instance's name is a label value of the host's series: not shown to a scoped user.
    instance: runtime.scope ? '' : env.INSTANCE,
    limits,
    snapshot: withDiskHistory(snapshot, runtime, Math.max(view.window.ms, snapshot.windowMs), SNAPSHOT_POINTS, choose, runtime.scope ? runtime.visible : undefined),
    seriesHeld: store.size,
    familyLines: view.filter && !view.filterProblem ? keptFamilyLines(view.filter, metas) : null,
    filterShown: view.filter && !view.filterProblem && view.queries.some((q) => !q.problem) ? shownLines(view.filter, metas) : null,
    account: accountOf(data),
    targets: visibleTargets(data),
    alertRules: runtime.scope ? [] : visibleAlerts(data).rules.map((r) => ({ name: r.name, query: r.query, reads: r.reads, threshold: r.threshold, direction: r.direction })),
    alertEvalMs: env.ALERT_EVAL_INTERVAL,
    alertRuleCount: getRuntime().alerts.ruleCount,
  };
}
