import { toSeriesKey } from '@/lib/series/key';
import { rateUnit, unitFromName, type Unit } from '@/lib/units';
import { parseLe } from './le';
import { BUILTIN_PANELS, OWN_SECTIONS, rawHostSeries, SECTIONS, sectionOf, UNCHARTED_METRICS, type PanelSpec, type SectionId } from './panels';

/** What the layout needs to know of a series. */
export interface SeriesRef {
  key: string;
  name: string;
  labels: Record<string, string>;
  unit: Unit;
  type: string;
}

/** How a line that is no series of its own is computed from its family group's series. */
export type LineDerivation = { kind: 'quantile'; q: number; group: number } | { kind: 'mean'; group: number };

export interface PanelLine {
  /** The series key; for a derived line, a key of the same shape naming what it is (`x{quantile="0.9"}`). */
  key: string;
  label: string;
  derive?: LineDerivation;
  /** For a family's line: the index of its group (label set) in `family.groups`. */
  group?: number;
}

/** One label set of a histogram or summary: the series its derived lines are computed from. */
export interface FamilyGroup {
  labels: Record<string, string>;
  /** A histogram's `_bucket` series, in no particular order (`le` parsed). */
  buckets: { le: number; key: string }[];
  /** A summary's own quantile series. */
  quantiles: string[];
  sum?: string;
  count?: string;
}

/** A histogram (`x_bucket`, `x_sum`, `x_count`) or summary (`x{quantile}`, `x_sum`, `x_count`) drawn as one panel. */
export interface PanelFamily {
  kind: 'histogram' | 'summary';
  base: string;
  groups: FamilyGroup[];
}

export interface Panel extends PanelSpec {
  lines: PanelLine[];
  family?: PanelFamily;
  /** The dashboard section it is shown in. */
  section?: SectionId;
}

/** The quantiles a histogram panel draws. */
export const HISTOGRAM_QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * The series a panel reads: its lines' own, and for a family's lines every series of their group
 * (buckets, quantiles, sum and count), so that a page carrying only these lays the same family
 * panel out again (a filter keeping a histogram's mean alone still needs its buckets to be one).
 */
export function panelSources(panel: Panel): string[] {
  const keys = new Set<string>();
  for (const line of panel.lines) {
    const group = line.group === undefined ? undefined : panel.family?.groups[line.group];
    if (!group) {
      keys.add(line.key);
      continue;
    }
    for (const b of group.buckets) keys.add(b.key);
    for (const q of group.quantiles) keys.add(q);
    if (group.sum) keys.add(group.sum);
    if (group.count) keys.add(group.count);
  }
  return [...keys];
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

const quantileLabel = (q: number) => `p${Math.round(q * 1000) / 10}`;

function without(labels: Record<string, string>, name: string): Record<string, string> {
  const rest = { ...labels };
  delete rest[name];
  return rest;
}

/** `a=1 b=2`, and `@instance` when several instances are shown. */
function labelText(labels: Record<string, string>, showInstance: boolean): string {
  const parts = Object.entries(labels)
    .filter(([k]) => k !== 'instance')
    .map(([k, v]) => `${k}=${v}`);
  if (showInstance && labels.instance) parts.push(`@${labels.instance}`);
  return parts.join(' ');
}

/**
 * The histogram and summary families among `byName`: `x_bucket` whose every series has a bound in
 * `le` (one of them `+Inf`), or `x` whose every series has a `quantile` label beside an `x_sum`
 * or `x_count`. Built-in panels' metrics are left to their panels.
 */
function familiesOf(byName: ReadonlyMap<string, SeriesRef[]>): Map<string, { kind: 'histogram' | 'summary'; base: string }> {
  const out = new Map<string, { kind: 'histogram' | 'summary'; base: string }>();
  for (const [name, list] of byName) {
    if (PANEL_OF_METRIC.has(name)) continue;
    if (name.endsWith('_bucket') && list.every((s) => s.labels.le !== undefined && !Number.isNaN(parseLe(s.labels.le))) && list.some((s) => parseLe(s.labels.le!) === Infinity)) {
      out.set(name.slice(0, -'_bucket'.length), { kind: 'histogram', base: name.slice(0, -'_bucket'.length) });
    } else if (list.every((s) => s.labels.quantile !== undefined) && (byName.has(`${name}_sum`) || byName.has(`${name}_count`))) {
      out.set(name, { kind: 'summary', base: name });
    }
  }
  return out;
}

/**
 * A family's panel: per label set (the labels other than `le`/`quantile`), a histogram's p50, p90
 * and p99 from its buckets, or a summary's own quantiles, then the mean (sum / count) where both
 * are there; in the base name's unit (`_seconds` → seconds).
 */
function familyPanel(kind: 'histogram' | 'summary', base: string, byName: ReadonlyMap<string, SeriesRef[]>, showInstance: boolean): Panel {
  const groups: FamilyGroup[] = [];
  const groupOf = new Map<string, FamilyGroup>();
  const group = (labels: Record<string, string>): FamilyGroup => {
    const id = toSeriesKey('', labels);
    let g = groupOf.get(id);
    if (!g) {
      groupOf.set(id, (g = { labels, buckets: [], quantiles: [] }));
      groups.push(g);
    }
    return g;
  };
  const quantiles: SeriesRef[] = [];
  if (kind === 'histogram') {
    for (const s of byName.get(`${base}_bucket`) ?? []) group(without(s.labels, 'le')).buckets.push({ le: parseLe(s.labels.le!), key: s.key });
  } else {
    for (const s of byName.get(base) ?? []) {
      group(without(s.labels, 'quantile')).quantiles.push(s.key);
      quantiles.push(s);
    }
  }
  // Sums and counts only join the label sets there are (a stray `_sum` alone draws nothing).
  for (const s of byName.get(`${base}_sum`) ?? []) {
    const g = groupOf.get(toSeriesKey('', s.labels));
    if (g) g.sum = s.key;
  }
  for (const s of byName.get(`${base}_count`) ?? []) {
    const g = groupOf.get(toSeriesKey('', s.labels));
    if (g) g.count = s.key;
  }
  const numeric = (a: FamilyGroup, b: FamilyGroup) => toSeriesKey('', a.labels).localeCompare(toSeriesKey('', b.labels), 'en', { numeric: true });
  const ordered = [...groups].sort(numeric);
  const lines: PanelLine[] = [];
  const named = (head: string, labels: Record<string, string>) => [head, labelText(labels, showInstance)].filter(Boolean).join(' ');
  for (const g of ordered) {
    const index = groups.indexOf(g);
    // Derived keys name what they are with a label the group does not have (`__` names are
    // reserved to Pulseboard, so `{stat="a"}` and `{stat="b"}` groups' means stay apart).
    const quantileName = 'quantile' in g.labels ? '__quantile' : 'quantile';
    const statName = 'stat' in g.labels ? '__stat' : 'stat';
    if (kind === 'histogram') {
      for (const q of HISTOGRAM_QUANTILES) {
        lines.push({ key: toSeriesKey(base, { ...g.labels, [quantileName]: String(q) }), label: named(quantileLabel(q), g.labels), derive: { kind: 'quantile', q, group: index }, group: index });
      }
    } else {
      const own = quantiles.filter((s) => toSeriesKey('', without(s.labels, 'quantile')) === toSeriesKey('', g.labels));
      own.sort((a, b) => Number(a.labels.quantile) - Number(b.labels.quantile));
      for (const s of own) lines.push({ key: s.key, label: named(quantileLabel(Number(s.labels.quantile)), g.labels), group: index });
    }
    if (g.sum && g.count) lines.push({ key: toSeriesKey(base, { ...g.labels, [statName]: 'mean' }), label: named('mean', g.labels), derive: { kind: 'mean', group: index }, group: index });
  }
  const metrics = kind === 'histogram' ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [base, `${base}_sum`, `${base}_count`];
  return {
    id: `${kind}:${base}`,
    title: base,
    unit: unitFromName(base),
    metrics: metrics.filter((m) => byName.has(m)),
    lines,
    family: { kind, base, groups },
    description: kind === 'histogram' ? 'Quantiles from the buckets over the last four intervals, and the mean' : 'Quantiles as the summary reports them, and the mean',
  };
}

/**
 * Groups series into panels: the built-in panels first in their fixed order, then one panel per
 * other metric name (sorted), one line per label set; a histogram's or summary's series make one
 * panel of its quantiles and mean. Panels without series are left out.
 */
export function layoutPanels(input: Iterable<SeriesRef>): Panel[] {
  const byPanel = new Map<string, { spec: PanelSpec; series: SeriesRef[] }>();
  const instances = new Set<string>();
  const series = [...input];
  const byName = new Map<string, SeriesRef[]>();
  for (const s of series) {
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, (list = []));
    list.push(s);
  }
  const families = familiesOf(byName);
  const member = new Map<string, string>();
  for (const [base, f] of families) for (const m of f.kind === 'histogram' ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [base, `${base}_sum`, `${base}_count`]) member.set(m, base);
  // Instances whose built-in collector writes here: their raw node_* series are charted through the derived figures.
  const collectors = new Set<string>();
  for (const s of byName.get('host_cpu_utilization_ratio') ?? []) collectors.add(s.labels.instance ?? '');
  for (const s of series) {
    if ((UNCHARTED_METRICS.has(s.name) && s.labels.job === undefined) || rawHostSeries(s.name, s.labels, collectors)) continue;
    if (s.labels.instance !== undefined) instances.add(s.labels.instance);
    if (member.has(s.name)) continue;
    const builtin = PANEL_OF_METRIC.get(s.name);
    // A scraped app's process_* and nodejs_* are its own, not this Pulseboard's.
    const spec: PanelSpec = (builtin && !(s.labels.job !== undefined && builtin.section && OWN_SECTIONS.has(builtin.section)) ? builtin : undefined) ?? {
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
  const panels = [...byPanel.values()].map(({ spec, series: list }): Panel => {
    const rank = (s: SeriesRef) => spec.metrics.indexOf(s.name);
    const lines = list
      .sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key, 'en', { numeric: true }))
      .map((s) => ({ key: s.key, label: lineLabel(spec, s, showInstance) }));
    return { ...spec, lines, section: sectionOf(spec, list.some((s) => s.labels.job !== undefined)) };
  });
  for (const [base, f] of families) {
    const panel = familyPanel(f.kind, base, byName, showInstance);
    panels.push({ ...panel, section: sectionOf(panel, panel.family?.groups.some((g) => g.labels.job !== undefined)) });
  }
  const sectionRank = (p: Panel) => SECTIONS.findIndex((x) => x.id === p.section);
  return panels.sort((a, b) => sectionRank(a) - sectionRank(b) || order(a.id) - order(b.id) || a.title.localeCompare(b.title, 'en'));
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
