// Client-safe: a query panel's lines computed from the series a page holds. Loaded with the first
// query panel (first-load JS budget); the URL's part is query-panel-ref.ts.
import { compileSelector, evaluateQuery, formatQuery, parseQuery, selectorsOf, type QueryNode, type QuerySeries } from '@/lib/query';
import type { SeriesMeta } from '@/lib/schema';
import { rateUnit, type Unit } from '@/lib/units';
import type { Pair } from '@/lib/wire';
import type { Panel } from './layout';
import { toRate } from './rate';
import type { QueryPanelRef } from './query-panel-ref';

/** One series as a page holds it. */
export interface HeldSeries {
  meta: SeriesMeta;
  points: readonly Pair[];
}

/** What a query panel draws now: the panel (its title is the query) and each line's series. */
export interface QueryPanelView {
  panel: Panel;
  series: HeldSeries[];
}

const rates = new WeakMap<readonly Pair[], Pair[]>();

/** A counter's per-second rate, kept while its points are the same array (the store replaces, never mutates, them). */
function ratesOf(points: readonly Pair[]): Pair[] {
  let r = rates.get(points);
  if (!r) rates.set(points, (r = toRate(points)));
  return r;
}

/** The unit a query's lines are in: `count` counts series; a counter or `rate()` is per second. */
function unitOf(node: QueryNode, selected: SeriesMeta | undefined): Unit {
  if (node.kind === 'aggregate' && node.op === 'count') return 'none';
  if (node.kind !== 'selector') return unitOf(node.of, selected);
  if (!selected) return 'none';
  return selected.type === 'counter' || node.rate ? rateUnit(selected.unit) : selected.unit;
}

/** A line's name in the legend: its labels (the metric name too when the query reads several names). */
function lineLabel(labels: Record<string, string>, withName: boolean, fallback: string): string {
  const parts = Object.entries(labels)
    .filter(([k]) => withName || k !== '__name__')
    .map(([k, v]) => (k === '__name__' ? v : `${k}=${v}`));
  return parts.join(' ') || fallback;
}

/**
 * Compiles a query panel: a function from the series a page holds and the window shown to what
 * the panel draws, lines computed as GET /api/query computes them (lib/query) at steps of
 * `stepMs`. Throws a QueryError for a query that cannot be read (the server has said so first).
 */
export function compileQueryPanel(ref: QueryPanelRef): (held: Iterable<HeldSeries>, from: number, to: number, stepMs: number) => QueryPanelView {
  const node = parseQuery(ref.text);
  const selectors = selectorsOf(node).map(compileSelector);
  const title = formatQuery(node);
  const fallback = node.kind === 'aggregate' ? node.op : title;
  return (held, from, to, stepMs) => {
    const input: QuerySeries[] = [];
    const names = new Set<string>();
    let selected: SeriesMeta | undefined;
    for (const s of held) {
      const { meta } = s;
      if (!selectors.some((m) => m.matches(meta.name, meta.labels))) continue;
      selected ??= meta;
      names.add(meta.name);
      const counter = meta.type === 'counter';
      input.push({ key: meta.key, name: meta.name, labels: meta.labels, counter, points: s.points, ...(counter && { rates: ratesOf(s.points) }) });
    }
    const lines = evaluateQuery(node, input, { from, to, stepMs });
    const unit = unitOf(node, selected);
    const panel: Panel = {
      id: ref.id,
      title,
      unit,
      metrics: [],
      description: `Query: ${title}`,
      lines: lines.map((l) => ({ key: l.key, label: lineLabel(l.labels, names.size > 1, fallback) })),
    };
    const series = lines.map((l) => ({ meta: { key: l.key, name: title, labels: l.labels, unit, type: 'gauge' as const }, points: l.points }));
    return { panel, series };
  };
}
