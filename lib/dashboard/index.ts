// Client-safe: the dashboard's client components import this face.
export { SNAPSHOT_POINTS, presetsWithin, toTimeWindow, type TimeWindow } from './windows';
export { parseView, viewQuery, MIN_RANGE_MS, type View, type TimeRange } from './view';
export { acceptFilter, compileFilter, filterPanels, filterProblem, filterTerms, panelFilter, panelTextChars, type AcceptedFilter } from './filter';
export { statsWithin, pointsWithin, percentile, type SeriesStats } from './stats';
export { DRAWN_MAX, defaultSort, legendOrder, undrawn, type LegendSort, type LegendSortKey } from './legend';
export { BUILTIN_PANELS, UNCHARTED_METRICS, type PanelSpec } from './panels';
export { layoutPanels, metricPanel, panelSources, HISTOGRAM_QUANTILES, type FamilyGroup, type LineDerivation, type Panel, type PanelFamily, type PanelLine, type SeriesRef } from './layout';
export { heatmapOf, histogramQuantile, meanOverTime, quantileOverTime, type BucketSeries, type Heatmap } from './histogram';
export { toRate } from './rate';
export { decimate } from './decimate';
