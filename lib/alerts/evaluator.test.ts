import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalLeases } from '@/lib/bus/lease';
import type { Batch } from '@/lib/schema';
import { toSeriesKey } from '@/lib/series';
import { Store } from '@/lib/store';
import { AlertEvaluator } from './evaluator';

/** An evaluator over a real store, its clock in the test's hands. */
function setup(rules: unknown[]) {
  let now = 1_800_000_000_000;
  const store = new Store({ retentionMs: 3_600_000, maxPointsPerSeries: 10_000, maxSeries: 10_000, now: () => now });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-evaluator-'));
  const file = path.join(dir, 'alerts.json');
  fs.writeFileSync(file, JSON.stringify({ rules }));
  const published: Batch[] = [];
  const evaluator = new AlertEvaluator({ store, publish: (b) => published.push(b), leases: new LocalLeases('t'), me: 't', intervalMs: 1_000, file, stateFile: null, externalURL: 'http://t', log: () => {}, now: () => now });
  let seq = 0;
  const push = (name: string, labels: Record<string, string>, v: number) => store.keep({ id: `c-${seq++}`, samples: [{ series: toSeriesKey(name, labels), t: now, v }] });
  const tick = async (ms = 1_000) => {
    now += ms;
    await evaluator.evaluate();
    return evaluator.status().alerts.map((a) => `${a.rule} ${a.state} ${a.key}`);
  };
  return { evaluator, push, tick, published };
}

describe('the evaluator', () => {
  it('a glob of names keeps each metric an instance of its own', async () => {
    const { push, tick } = setup([{ name: 'Hot', query: 'temp_*', window: '0s', reduce: 'last', above: 50 }]);
    push('temp_cpu', { host: 'h' }, 90);
    push('temp_disk', { host: 'h' }, 20);
    expect(await tick()).toEqual(['Hot firing {__name__="temp_cpu",host="h"}']);
    push('temp_cpu', { host: 'h' }, 91);
    push('temp_disk', { host: 'h' }, 21);
    expect(await tick()).toEqual(['Hot firing {__name__="temp_cpu",host="h"}']);
  });

  it('noData: alerting raises one instance while the query has no line, and ends it once lines are back', async () => {
    const { push, tick } = setup([{ name: 'Silent', query: 'heartbeat', window: '0s', reduce: 'last', above: 100, noData: 'alerting' }]);
    expect(await tick()).toEqual(['Silent firing {}']);
    push('heartbeat', { app: 'a' }, 1);
    expect(await tick()).toEqual([]);
  });

  it('publishes ALERTS: 1 in the state, 0 when it is left', async () => {
    const { push, tick, published } = setup([{ name: 'High', query: 'load', window: '0s', reduce: 'last', above: 1, for: '1s' }]);
    push('load', {}, 2);
    await tick();
    push('load', {}, 2);
    await tick(1_000);
    const points = published.flatMap((b) => b.samples).map((s) => `${s.series} ${s.v}`);
    expect(points).toEqual([
      'ALERTS{alertname="High",alertstate="pending",severity="warning"} 1',
      'ALERTS{alertname="High",alertstate="pending",severity="warning"} 0',
      'ALERTS{alertname="High",alertstate="firing",severity="warning"} 1',
    ]);
  });
});
