import { describe, expect, it } from 'vitest';
import { reduce, render, step, type AlertInstance } from './machine';
import { parseAlerts, type Rule } from './rules';

const ruleOf = (fields: Record<string, unknown>): Rule => parseAlerts(JSON.stringify({ rules: [{ name: 'HighCpu', query: 'cpu', ...fields }] }), 'alerts.json').rules[0]!;

/** Runs values through one instance, a second apart; returns the transitions and the state after each. */
function run(rule: Rule, values: Array<number | null>, start = 0): Array<{ t: number; transition?: string; state?: string }> {
  let current: AlertInstance | undefined;
  return values.map((v, i) => {
    const t = start + i * 1_000;
    const { next, transition } = step(rule, current, v, t, '{}', {});
    current = next;
    return { t, ...(transition && { transition }), ...(next && { state: next.state }) };
  });
}

describe('alert states', () => {
  it('fires only once the breach has held for `for`, and resolves once cleared', () => {
    const rule = ruleOf({ above: 0.9, for: '3s' });
    const steps = run(rule, [0.5, 0.95, 0.95, 0.95, 0.95, 0.5]);
    expect(steps.map((s) => s.transition ?? '-')).toEqual(['-', 'pending', '-', '-', 'firing', 'resolved']);
  });

  it('a value oscillating between clearBelow and above neither flaps nor resolves', () => {
    const rule = ruleOf({ above: 0.9, clearBelow: 0.8 });
    const values = [0.95, ...Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.95 : 0.85))];
    const transitions = run(rule, values).flatMap((s) => s.transition ?? []);
    expect(transitions).toEqual(['firing']);
    // Without the clear threshold the same values flap on every step.
    expect(run(ruleOf({ above: 0.9 }), values).filter((s) => s.transition === 'firing').length).toBeGreaterThan(5);
  });

  it('pending goes back to inactive when cleared, and never fires', () => {
    const rule = ruleOf({ above: 0.9, clearBelow: 0.8, for: '5s' });
    expect(run(rule, [0.95, 0.85, 0.95, 0.7, 0.95]).flatMap((s) => s.transition ?? [])).toEqual(['pending', 'inactive', 'pending']);
  });

  it('keepFiringFor holds a firing alert through a short dip, and counts from the first cleared value', () => {
    const rule = ruleOf({ above: 0.9, keepFiringFor: '2s' });
    const steps = run(rule, [0.95, 0.5, 0.95, 0.5, 0.5, 0.5]);
    expect(steps.map((s) => s.transition ?? '-')).toEqual(['firing', '-', '-', '-', '-', 'resolved']);
  });

  it('below and clearAbove are the other direction', () => {
    const rule = ruleOf({ below: 10, clearAbove: 20 });
    expect(run(rule, [50, 5, 15, 5, 25]).flatMap((s) => s.transition ?? [])).toEqual(['firing', 'resolved']);
  });

  it('noData: ok clears, alerting breaches, keep changes nothing', () => {
    expect(run(ruleOf({ above: 1 }), [2, null]).flatMap((s) => s.transition ?? [])).toEqual(['firing', 'resolved']);
    expect(run(ruleOf({ above: 1, noData: 'alerting' }), [null, null]).flatMap((s) => s.transition ?? [])).toEqual(['firing']);
    expect(run(ruleOf({ above: 1, noData: 'keep' }), [2, null, null, 0]).map((s) => s.transition ?? s.state ?? '-')).toEqual(['firing', 'firing', 'firing', 'resolved']);
  });
});

describe('reduce and render', () => {
  const points: Array<[number, number]> = [[1, 1], [2, 5], [3, 3], [4, NaN]];
  it('reduces the points after `from`', () => {
    expect(reduce(points, 0, 'mean')).toBe(3);
    expect(reduce(points, 1, 'min')).toBe(3);
    expect(reduce(points, 0, 'max')).toBe(5);
    expect(reduce(points, 0, 'last')).toBe(3);
    expect(reduce(points, 10, 'mean')).toBeNull();
  });
  it('fills labels and the value into a summary, unknown names empty', () => {
    expect(render('CPU on {{instance}} at {{ value }}{{nope}}', { instance: 'db1' }, 0.91234)).toBe('CPU on db1 at 0.9123');
    expect(render('{{value}}', {}, NaN)).toBe('no data');
    // A hostile template is linear: a long run of braces and names.
    const hostile = `${'{{'.repeat(50_000)}a${' '.repeat(50_000)}`;
    const t0 = performance.now();
    render(hostile, {}, 1);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
