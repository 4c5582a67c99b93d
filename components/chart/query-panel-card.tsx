import { useMemo, useState } from 'react';
import { compileQueryPanel } from '@/lib/dashboard/query-panel';
import type { QueryPanelRef } from '@/lib/dashboard/query-panel-ref';
import type { LiveSeries } from '../live/live-store';
import { PanelCard, type PanelCardProps } from './panel-card';

/**
 * A panel defined by a query (`?query=` in the URL): its lines computed from the series the page
 * holds, as GET /api/query computes them, at steps of `stepMs`, then drawn as any panel; its
 * title is the query. Loaded with the first query panel (first-load JS budget).
 */
export function QueryPanelCard({ query, held, stepMs, ...props }: Omit<PanelCardProps, 'series' | 'panel'> & { query: QueryPanelRef; held: ReadonlyMap<string, LiveSeries>; stepMs: number }) {
  const compiled = useMemo(() => compileQueryPanel(query), [query]);
  // Computed again once a step (or the set of series) changes, not on every update: a step's value
  // is its newest point's, and at 1,000 series the computation is what the update costs.
  const step = Math.floor(props.to / stepMs);
  const count = held.size;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const view = useMemo(() => compiled(held.values(), props.from, props.to, stepMs), [compiled, step, count, stepMs]);
  // The same panel while its lines are the same: legend state (sort, lines pinned) is kept.
  const [panel, setPanel] = useState(view.panel);
  const sameLines = panel.unit === view.panel.unit && panel.lines.length === view.panel.lines.length && panel.lines.every((l, i) => l.key === view.panel.lines[i]!.key && l.label === view.panel.lines[i]!.label);
  if (!sameLines) setPanel(view.panel);
  return <PanelCard {...props} panel={sameLines ? panel : view.panel} series={view.series} />;
}
