import { rateUnit, type Unit } from '@/lib/units';
import { BUILTIN_PANELS, UNCHARTED_METRICS, type PanelSpec } from './panels';

/** What the layout needs to know of a series. */
export interface SeriesRef {
  key: string;
  name: string;
  labels: Record<string, string>;
  unit: Unit;
  type: string;
}

export interface PanelLine {
  key: string;
  label: string;
}

export interface Panel extends PanelSpec {
  lines: PanelLine[];
}

const PANEL_OF_METRIC = new Map(BUILTIN_PANELS.flatMap((p) => p.metrics.map((m) => [m, p] as const)));

function lineLabel(spec: PanelSpec, s: SeriesRef, showInstance: boolean): string {
  const template = spec.legend?.[s.name];
  const parts: string[] = [];
  const used = new Set<string>(['instance']);
  if (typeof template === 'function') {
    parts.push(template(s.labels));
    for (const k of Object.keys(s.labels)) used.add(k);
  } else if (template) {
    parts.push(
      template.replace(/\{(\w+)\}/g, (_, k: string) => {
        used.add(k);
        return s.labels[k] ?? '';
      }),
    );
  }
  for (const [k, v] of Object.entries(s.labels)) if (!used.has(k)) parts.push(`${k}=${v}`);
  if (parts.length === 0) parts.push(s.name);
  if (showInstance && s.labels.instance) parts.push(`@${s.labels.instance}`);
  return parts.join(' ');
}

/**
 * Groups series into panels: the built-in panels first in their fixed order, then one panel per
 * other metric name (sorted), one line per label set. Panels without series are left out.
 */
export function layoutPanels(series: Iterable<SeriesRef>): Panel[] {
  const byPanel = new Map<string, { spec: PanelSpec; series: SeriesRef[] }>();
  const instances = new Set<string>();
  for (const s of series) {
    if (UNCHARTED_METRICS.has(s.name)) continue;
    if (s.labels.instance !== undefined) instances.add(s.labels.instance);
    const spec: PanelSpec = PANEL_OF_METRIC.get(s.name) ?? {
      id: `metric:${s.name}`,
      title: s.name,
      // Counters are charted as per-second rates.
      unit: s.type === 'counter' ? rateUnit(s.unit) : s.unit,
      rate: s.type === 'counter',
      metrics: [s.name],
    };
    let group = byPanel.get(spec.id);
    if (!group) byPanel.set(spec.id, (group = { spec, series: [] }));
    group.series.push(s);
  }
  const showInstance = instances.size > 1;
  const order = (id: string) => {
    const i = BUILTIN_PANELS.findIndex((p) => p.id === id);
    return i === -1 ? BUILTIN_PANELS.length : i;
  };
  return [...byPanel.values()]
    .sort((a, b) => order(a.spec.id) - order(b.spec.id) || a.spec.title.localeCompare(b.spec.title, 'en'))
    .map(({ spec, series: list }) => {
      const rank = (s: SeriesRef) => spec.metrics.indexOf(s.name);
      const lines = list
        .sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key, 'en', { numeric: true }))
        .map((s) => ({ key: s.key, label: lineLabel(spec, s, showInstance) }));
      return { ...spec, lines };
    });
}

/**
 * The panel of one metric on its own (the metric's detail page): one line per series, labelled
 * with all its labels; a counter is charted as its per-second rate.
 */
export function metricPanel(name: string, series: readonly SeriesRef[]): Panel {
  const counter = series[0]?.type === 'counter';
  const unit = series[0]?.unit ?? 'none';
  const lines = [...series]
    .sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }))
    .map((s) => ({ key: s.key, label: Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ') || s.name }));
  return { id: `metric:${name}`, title: name, unit: counter ? rateUnit(unit) : unit, rate: counter, metrics: [name], lines };
}
