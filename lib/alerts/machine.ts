import type { Rule } from './rules';

/*
 * One alert instance's states, as Prometheus has them, with a clear threshold for hysteresis:
 *
 *   inactive ──breach──▶ pending ──held `for`──▶ firing ──cleared for `keepFiringFor`──▶ resolved
 *                           │                      ▲  │
 *                           └──cleared──▶ inactive └──┘ (a value between the thresholds keeps it)
 *
 * A breach is a value past the threshold (`above`: greater; `below`: less). Cleared is a value
 * back to the clear threshold or beyond (`clearBelow`: at or below it; `clearAbove`: at or above
 * it; without one, the threshold itself). A value between the two changes nothing, whether the
 * instance is pending or firing: an oscillation inside the band neither flaps nor resets `for`.
 * No data counts as cleared (`noData: ok`), as a breach (`alerting`), or changes nothing (`keep`).
 */

export type AlertState = 'pending' | 'firing';

/** An instance that is pending or firing (an inactive one is not kept). */
export interface AlertInstance {
  rule: string;
  /** `{label="value",…}` of its labels: the instance's identity within its rule. */
  key: string;
  labels: Record<string, string>;
  state: AlertState;
  /** When it went pending. */
  activeAt: number;
  firedAt?: number;
  /** The value last seen (NaN: no data), and when. */
  value: number;
  valueAt: number;
  /** While firing, since when the value has been cleared (keepFiringFor counts from it). */
  clearSince?: number;
  /** The last firing notification sent (or queued) for it, for `repeat`. */
  notifiedAt?: number;
}

export type Transition = 'pending' | 'firing' | 'resolved' | 'inactive';

export interface Step {
  /** The instance after this evaluation; undefined once inactive or resolved. */
  next: AlertInstance | undefined;
  /** What changed, if anything. */
  transition?: Transition;
}

function breached(rule: Rule, value: number): boolean {
  return rule.direction === 'above' ? value > rule.threshold : value < rule.threshold;
}

function cleared(rule: Rule, value: number): boolean {
  return rule.direction === 'above' ? value <= rule.clear : value >= rule.clear;
}

/**
 * One evaluation of one instance: `value` is its figure now (null: no data). `labels` and `key`
 * are used when the instance is new.
 */
export function step(rule: Rule, current: AlertInstance | undefined, value: number | null, now: number, key: string, labels: Record<string, string>): Step {
  if (value === null && rule.noData === 'keep') return { next: current && { ...current } };
  const breach = value === null ? rule.noData === 'alerting' : breached(rule, value);
  const clear = value === null ? rule.noData === 'ok' : cleared(rule, value);
  const seen = value ?? NaN;
  if (!current) {
    if (!breach) return { next: undefined };
    const pending: AlertInstance = { rule: rule.name, key, labels, state: 'pending', activeAt: now, value: seen, valueAt: now };
    if (rule.for > 0) return { next: pending, transition: 'pending' };
    return { next: { ...pending, state: 'firing', firedAt: now }, transition: 'firing' };
  }
  const next: AlertInstance = { ...current, value: seen, valueAt: now };
  if (current.state === 'pending') {
    if (clear) return { next: undefined, transition: 'inactive' };
    if (now - current.activeAt >= rule.for) return { next: { ...next, state: 'firing', firedAt: now }, transition: 'firing' };
    return { next };
  }
  // Firing.
  if (!clear) {
    delete next.clearSince;
    return { next };
  }
  const since = current.clearSince ?? now;
  if (now - since >= rule.keepFiringFor) return { next: undefined, transition: 'resolved' };
  return { next: { ...next, clearSince: since } };
}

/** A line's figure over the window: its points reduced as the rule says; null when it has none there. */
export function reduce(points: ReadonlyArray<readonly [number, number]>, from: number, how: Rule['reduce']): number | null {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let last = NaN;
  for (const [t, v] of points) {
    if (t <= from || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    last = v;
  }
  if (n === 0) return null;
  return how === 'mean' ? sum / n : how === 'min' ? min : how === 'max' ? max : last;
}

/** `{{label}}` and `{{value}}` of a summary filled in (an unknown name is left empty); bounded by the summary's length and the labels'. */
export function render(template: string | undefined, labels: Readonly<Record<string, string>>, value: number): string {
  if (!template) return '';
  return template.replace(/\{\{\s*([A-Za-z_]\w{0,127})\s*\}\}/g, (_m, name: string) => {
    if (name === 'value') return Number.isNaN(value) ? 'no data' : formatValue(value);
    return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
  });
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 1e6 || abs < 1e-3 ? v.toPrecision(4) : String(Number(v.toPrecision(4)));
}
