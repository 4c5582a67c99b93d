import { useState } from 'react';
import type { LiveSeries } from '../live/live-store';
import { familySeries, panelBuckets } from '../live/family-series';
import { PanelCard, type PanelCardProps } from './panel-card';

/**
 * A histogram's or summary's panel: its quantile and mean lines computed from its series, then
 * drawn as any panel. Loaded with the first such panel (first-load JS budget): the server's
 * render of it stays on the page while the code comes, then hydrates.
 */
export function FamilyPanelCard({ get, ...props }: Omit<PanelCardProps, 'series' | 'buckets'> & { get: (key: string) => LiveSeries | undefined }) {
  const series = familySeries(props.panel, get);
  const buckets = panelBuckets(props.panel, get);
  // The same array while its lines' points are the same arrays: the legend's figures are worked
  // out again only when they change (the chart compares points itself).
  const [kept, setKept] = useState(series);
  const same = kept.length === series.length && kept.every((s, i) => s?.points === series[i]?.points);
  if (!same) setKept(series);
  return <PanelCard {...props} series={same ? kept : series} buckets={buckets} />;
}
