// Client-safe: the dashboard's client components import this face.
export { WINDOWS, DEFAULT_WINDOW, SNAPSHOT_POINTS, toWindowPreset, type WindowPreset } from './windows';
export { BUILTIN_PANELS, UNCHARTED_METRICS, type PanelSpec } from './panels';
export { layoutPanels, type Panel, type PanelLine, type SeriesRef } from './layout';
export { toRate } from './rate';
export { decimate } from './decimate';
