import { ALERTS_NAME } from '@/lib/wire';
import type { LiveState } from './live-store';

/*
 * The alert states a page holds, read from the ALERTS series (lib/alerts): the evaluator writes a
 * point for each pending or firing instance at every evaluation, 1 in its state and 0 once it
 * leaves it. An instance whose newest point is 1 and recent is active; one whose points stopped
 * (the evaluator gone) is stale and not counted.
 */

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertCounts {
  firing: Record<Severity, number>;
  pending: number;
  total: number;
}

export interface AlertMarks {
  /** Per rule: when it fired (any instance), merged, oldest first; an open period ends at its newest point. */
  firing: Map<string, Array<[number, number]>>;
  counts: AlertCounts;
}

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Counts and firing periods from the ALERTS series held; `freshMs`: a newest point older than this (before `now`) is stale. */
export function alertMarks(state: Pick<LiveState, 'series'>, now: number, freshMs: number): AlertMarks {
  const counts: AlertCounts = { firing: { critical: 0, warning: 0, info: 0 }, pending: 0, total: 0 };
  const periods = new Map<string, Array<[number, number]>>();
  for (const s of state.series.values()) {
    if (s.meta.name !== ALERTS_NAME) continue;
    const { alertname, alertstate, severity } = s.meta.labels;
    const last = s.points.at(-1);
    if (!alertname || !last) continue;
    const active = last[1] === 1 && last[0] >= now - freshMs;
    if (active && alertstate === 'pending') counts.pending++;
    if (alertstate !== 'firing') continue;
    if (active) {
      const sev = SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 'warning';
      counts.firing[sev]++;
      counts.total++;
    }
    let list = periods.get(alertname);
    if (!list) periods.set(alertname, (list = []));
    let start: number | null = null;
    for (const [t, v] of s.points) {
      if (v === 1 && start === null) start = t;
      else if (v !== 1 && start !== null) {
        list.push([start, t]);
        start = null;
      }
    }
    if (start !== null) list.push([start, last[0]]);
  }
  for (const [name, list] of periods) periods.set(name, merge(list));
  return { firing: periods, counts };
}

/** Overlapping periods joined. */
function merge(list: Array<[number, number]>): Array<[number, number]> {
  list.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const p of list) {
    const prev = out.at(-1);
    if (prev && p[0] <= prev[1]) prev[1] = Math.max(prev[1], p[1]);
    else out.push([p[0], p[1]]);
  }
  return out;
}
