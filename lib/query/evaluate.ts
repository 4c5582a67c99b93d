// Client-safe: the API evaluates a query over what the store (or disk) holds; the dashboard can
// evaluate one over the points it streams.
import { statsWithin } from '@/lib/dashboard/stats';
import { toRate } from '@/lib/dashboard/rate';
import type { Pair } from '@/lib/wire';
import { compileSelector, type QueryNode, type SelectorNode } from './parse';

/** One series as a query reads it: its points as stored (counters as running totals). */
export interface QuerySeries {
  key: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  counter: boolean;
  points: readonly Pair[];
  /** A counter's per-second rate of `points`, when the caller keeps it (computed otherwise). */
  rates?: readonly Pair[];
}

/** One line of a query's result: the labels that tell it apart, and its points. */
export interface QueryLine {
  /** The series key for a selected series; for a group, `{label="value",…}` of its `by` labels (`{}` for one line). */
  key: string;
  labels: Record<string, string>;
  points: Pair[];
}

export interface EvaluateOptions {
  /** The window's start and end (ms since the epoch): ranks are by what is inside it. */
  from: number;
  to: number;
  /**
   * Width of the time steps aggregated lines are computed at (ms): each series counts with its
   * newest point of each step, or, when it has none there, with its last one from at most
   * LOOKBACK_STEPS steps before (a series one scrape late does not dip a sum).
   */
  stepMs: number;
}

/** Steps a series' last value stands for when it has no newer point (see EvaluateOptions.stepMs). */
export const LOOKBACK_STEPS = 2;

/** Per-second change of a gauge (may be negative). */
function derivative(points: readonly Pair[]): Pair[] {
  const out: Pair[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1]!;
    const [t1, v1] = points[i]!;
    const dt = (t1 - t0) / 1000;
    if (dt > 0) out.push([t1, (v1 - v0) / dt]);
  }
  return out;
}

function selectLines(node: SelectorNode, series: readonly QuerySeries[]): QueryLine[] {
  const selector = compileSelector(node);
  const out: QueryLine[] = [];
  for (const s of series) {
    if (!selector.matches(s.name, s.labels)) continue;
    const points = s.counter ? [...(s.rates ?? toRate(s.points))] : node.rate ? derivative(s.points) : [...s.points];
    out.push({ key: s.key, labels: { __name__: s.name, ...s.labels }, points });
  }
  return out;
}

/** `{label="value",…}` of a line's labels, sorted: a group's key, and an alert instance's. */
export const groupKey = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/**
 * Calls `add(k, value)` for each step k (ending at steps[k]) where the line has a value: its
 * newest point in the step, or one from at most LOOKBACK_STEPS steps before. One pass over the
 * line's points and the steps; nothing is kept per line.
 */
function onSteps(points: readonly Pair[], steps: readonly number[], stepMs: number, add: (k: number, value: number) => void): void {
  let i = 0;
  let last = NaN;
  let lastAt = -Infinity;
  for (let k = 0; k < steps.length; k++) {
    const end = steps[k]!;
    while (i < points.length && points[i]![0] <= end) {
      last = points[i]![1];
      lastAt = points[i]![0];
      i++;
    }
    if (end - lastAt < (LOOKBACK_STEPS + 1) * stepMs) add(k, last);
  }
}

/** Most steps an aggregation is computed at, whatever the window and step asked for. */
export const MAX_STEPS = 10_000;

function aggregate(node: Extract<QueryNode, { kind: 'aggregate' }>, lines: QueryLine[], options: EvaluateOptions): QueryLine[] {
  const { from, to, stepMs } = options;
  const steps: number[] = [];
  // Steps end at `to` and go back: the newest step is the one a live chart shows last.
  for (let end = to; end > from && steps.length < MAX_STEPS; end -= stepMs) steps.push(end);
  steps.reverse();
  const groups = new Map<string, { labels: Record<string, string>; members: QueryLine[] }>();
  for (const line of lines) {
    const labels: Record<string, string> = {};
    for (const l of node.by) if (Object.hasOwn(line.labels, l) && line.labels[l] !== '') labels[l] = line.labels[l]!;
    const key = groupKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, members: [] }));
    group.members.push(line);
  }
  const out: QueryLine[] = [];
  // Per group, four numbers a step: memory is groups × steps, never lines × steps.
  for (const [key, { labels, members }] of groups) {
    const n = new Float64Array(steps.length);
    const sum = new Float64Array(steps.length);
    const min = new Float64Array(steps.length).fill(Infinity);
    const max = new Float64Array(steps.length).fill(-Infinity);
    for (const m of members) {
      onSteps(m.points, steps, stepMs, (k, v) => {
        n[k]!++;
        sum[k]! += v;
        if (v < min[k]!) min[k] = v;
        if (v > max[k]!) max[k] = v;
      });
    }
    const points: Pair[] = [];
    for (let k = 0; k < steps.length; k++) {
      const count = n[k]!;
      if (count === 0) continue;
      const value = node.op === 'sum' ? sum[k]! : node.op === 'avg' ? sum[k]! / count : node.op === 'min' ? min[k]! : node.op === 'max' ? max[k]! : count;
      points.push([steps[k]!, value]);
    }
    out.push({ key, labels, points });
  }
  return out;
}

function rank(node: Extract<QueryNode, { kind: 'rank' }>, lines: QueryLine[], { from, to }: EvaluateOptions): QueryLine[] {
  // By the window's mean or last value, as the legend shows them; a line with no point there is left out.
  const scored = lines.flatMap((line) => {
    const stats = statsWithin(line.points, from, to);
    return stats ? [{ line, score: node.by === 'last' ? stats.last : stats.mean }] : [];
  });
  const sign = node.op === 'topk' ? -1 : 1;
  // Ties by key, so that the same data always ranks the same way.
  scored.sort((a, b) => sign * (a.score - b.score) || (a.line.key < b.line.key ? -1 : a.line.key > b.line.key ? 1 : 0));
  return scored.slice(0, node.n).map((s) => s.line);
}

/** The lines a query gives over `series` (the ones its selectors need; see selectorsOf). */
export function evaluateQuery(node: QueryNode, series: readonly QuerySeries[], options: EvaluateOptions): QueryLine[] {
  switch (node.kind) {
    case 'selector':
      return selectLines(node, series);
    case 'aggregate':
      return aggregate(node, evaluateQuery(node.of, series, options), options);
    case 'rank':
      return rank(node, evaluateQuery(node.of, series, options), options);
  }
}
