// Client-safe: the dashboard's client components import this face. What the browser needs only on
// use is left out of it (a module named here ships in the dashboard's first-load JS): import the
// filter's matching from './filter', a URL's parsing from './view', windows and presets from './windows', a histogram's maths from './histogram'.
export type { TimeWindow } from './windows';
export { viewQuery, MIN_RANGE_MS, type TimeRange } from './view-query';
export { filterShapeProblem, filterTerms } from './filter-terms';
export { statsWithin, pointsWithin, percentile, type SeriesStats } from './stats';
export { DRAWN_MAX, defaultSort, legendOrder, undrawn, type LegendSort, type LegendSortKey } from './legend';
export { BUILTIN_PANELS, SECTIONS, UNCHARTED_METRICS, rawHostSeries, sectionOf, type PanelSpec, type SectionId } from './panels';
export { layoutPanels, metricPanel, panelSources, HISTOGRAM_QUANTILES, type FamilyGroup, type LineDerivation, type Panel, type PanelFamily, type PanelLine, type SeriesRef } from './layout';
export type { BucketSeries } from './histogram';
export { toRate } from './rate';
export { decimate } from './decimate';
