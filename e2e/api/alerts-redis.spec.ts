import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { postPoints } from '../support/ingest';
import { startReceiver } from '../support/receiver';
import { startRedis } from '../support/redis';
import { startServer, type RunningServer } from '../support/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function alertsOf(server: RunningServer) {
  return (await (await fetch(`${server.url}/api/alerts`)).json()) as { evaluator: string | null; leader: boolean; alerts: Array<{ rule: string; state: string; firedAt: number | null }> };
}

test('three instances on one Redis: one message per transition; the leader killed, another takes over within the lease and sends nothing twice', async () => {
  test.setTimeout(120_000);
  const redis = await startRedis();
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-redis-'));
  const file = path.join(dir, 'alerts.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      rules: [{ name: 'HighLoad', query: 'max(app_load)', window: '0s', reduce: 'last', above: 0.9, clearBelow: 0.8, severity: 'warning', notify: ['hook'] }],
      channels: [{ name: 'hook', type: 'webhook', url: receiver.url }],
    }),
  );
  const env = (name: string) => ({ REDIS_URL: redis.url, INSTANCE: name, ALERTS_FILE: file, ALERT_EVAL_INTERVAL: '1s', DATA_DIR: 'none', COLLECT_INTERVAL: '1h', REDIS_RECONNECT_MAX: '300ms' });
  const servers = new Map<string, RunningServer>();
  for (const name of ['a', 'b', 'c']) servers.set(name, await startServer({ env: env(name) }));
  let load = 0.5;
  let stopped = false;
  // Written through each instance in turn (a dead one is skipped): the points reach all of them through Redis.
  const pushing = (async () => {
    for (let i = 0; i < 1_000 && !stopped; i++) {
      const alive = [...servers.values()];
      await postPoints(alive[i % alive.length]!.url, [{ name: 'app_load', labels: { host: 'a' }, value: load }]).catch(() => undefined);
      await sleep(200);
    }
  })();
  try {
    await expect.poll(async () => (await alertsOf(servers.get('a')!)).evaluator, { timeout: 10_000 }).toMatch(/^[abc]$/);
    const leader = (await alertsOf(servers.get('a')!)).evaluator!;
    // Each instance knows who evaluates once it has claimed (its Redis client up).
    for (const s of servers.values()) await expect.poll(async () => (await alertsOf(s)).evaluator, { timeout: 5_000 }).toBe(leader);
    load = 0.95;
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    // Every instance shows the same state.
    for (const s of servers.values()) await expect.poll(async () => (await alertsOf(s)).alerts[0]?.state, { timeout: 5_000 }).toBe('firing');
    await sleep(3_000);
    expect(receiver.received).toHaveLength(1);

    // kill -9 the evaluator: another instance takes the lease within it (3 evaluations, 5 s at least) and does not fire again.
    const dead = servers.get(leader)!;
    servers.delete(leader);
    await dead.stop('SIGKILL');
    const killed = Date.now();
    const alive = [...servers.values()];
    await expect.poll(async () => (await alertsOf(alive[0]!)).evaluator, { timeout: 15_000, intervals: [250] }).not.toBe(leader);
    const taken = Date.now() - killed;
    expect(taken).toBeLessThan(8_000);
    const next = (await alertsOf(alive[0]!)).evaluator!;
    expect(next).toMatch(/^[abc]$/);
    await expect.poll(async () => (await alertsOf(alive[1]!)).evaluator, { timeout: 5_000 }).toBe(next);
    await expect.poll(async () => (await alertsOf(alive[0]!)).alerts[0]?.state, { timeout: 5_000 }).toBe('firing');
    await sleep(3_000);
    expect(receiver.received).toHaveLength(1);
    console.log(`leader ${leader} killed: ${next} evaluates after ${taken} ms`);

    // Resolved once, by the new leader.
    load = 0.5;
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
    expect(receiver.received[1]!.body.status).toBe('resolved');
    await sleep(3_000);
    expect(receiver.received.map((m) => m.body.status)).toEqual(['firing', 'resolved']);
    for (const s of servers.values()) await expect.poll(async () => (await alertsOf(s)).alerts.length, { timeout: 5_000 }).toBe(0);
  } finally {
    stopped = true;
    await pushing;
    await Promise.all([...servers.values()].map((s) => s.stop('SIGKILL')));
    await receiver.stop();
    await redis.stop();
  }
});
