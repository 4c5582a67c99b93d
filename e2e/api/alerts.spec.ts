import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { post, postPoints } from '../support/ingest';
import { startReceiver, type TestReceiver } from '../support/receiver';
import { startServer, type RunningServer } from '../support/server';
import { readEvents } from '../support/sse';

const SECRET = 'e2e-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An ALERTS_FILE with one rule on `app_load` notifying the receiver. */
function alertsFile(dir: string, receiver: TestReceiver, rule: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'alerts.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      rules: [{ name: 'HighLoad', query: 'app_load', window: '0s', reduce: 'last', above: 0.9, clearBelow: 0.8, for: '3s', severity: 'critical', summary: 'load on {{host}} at {{value}}', notify: ['hook'], ...rule }],
      channels: [{ name: 'hook', type: 'webhook', url: receiver.url, secret: SECRET, headers: { 'X-Team': 'ops' } }],
      ...extra,
    }),
  );
  return file;
}

/** Pushes `app_load{host="a"}` = value() every 250 ms until stopped. */
function pushLoad(server: () => RunningServer, value: () => number) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      await postPoints(server().url, [{ name: 'app_load', labels: { host: 'a' }, value: value() }]).catch(() => undefined);
      await sleep(250);
    }
  })();
  return { stop: () => ((stopped = true), done) };
}

async function alertsOf(server: RunningServer) {
  return (await (await fetch(`${server.url}/api/alerts`)).json()) as {
    alerts: Array<{ rule: string; state: string; activeAt: number; firedAt: number | null; value: number | null; summary: string; silenced: boolean }>;
    channels: Array<{ name: string; sent: number; failed: number; retried: number; queued: number; lastError: string | null }>;
    recent: Array<{ transition: string }>;
  };
}

const env = (dir: string, file: string) => ({ DATA_DIR: dir, ALERTS_FILE: file, ALERT_EVAL_INTERVAL: '1s', COLLECT_INTERVAL: '1h' });

test('a rule fires only after `for`, does not flap between its thresholds, survives a restart without a second message, and resolves once; both messages signed', async () => {
  test.setTimeout(90_000);
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-'));
  const file = alertsFile(dir, receiver);
  let server = await startServer({ env: env(dir, file) });
  let load = 0.5;
  const pusher = pushLoad(() => server, () => load);
  try {
    await sleep(1_500);
    // Past the threshold, then between the two thresholds and back, every 250 ms: pending, then firing once.
    const breach = Date.now();
    let flip = 0;
    const oscillate = setInterval(() => (load = flip++ % 2 ? 0.85 : 0.95), 250);
    load = 0.95;
    await expect.poll(async () => (await alertsOf(server)).alerts[0]?.state, { timeout: 5_000 }).toBe('pending');
    expect(receiver.received).toHaveLength(0);
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    const fired = receiver.received[0]!;
    expect(fired.at - breach).toBeGreaterThanOrEqual(3_000);
    expect(fired.body).toMatchObject({ status: 'firing', receiver: 'hook', alerts: [{ status: 'firing', labels: { alertname: 'HighLoad', host: 'a', severity: 'critical' }, endsAt: '0001-01-01T00:00:00Z' }] });
    expect(fired.body.alerts[0]!.annotations.summary).toMatch(/^load on a at 0\.(85|95)$/);
    expect(fired.headers['x-team']).toBe('ops');
    expect(receiver.signed(fired, SECRET)).toBe(true);
    expect(receiver.signed({ ...fired, raw: `${fired.raw} ` }, SECRET)).toBe(false);
    // Oscillating between 0.85 and 0.95 for 4 s more: no resolve, no second firing.
    await sleep(4_000);
    clearInterval(oscillate);
    expect(receiver.received).toHaveLength(1);
    const before = (await alertsOf(server)).alerts[0]!;
    expect(before.state).toBe('firing');

    // Restart while firing: the state is back, and nothing is sent again.
    load = 0.95;
    expect((await server.stop()).code).toBe(0);
    server = await startServer({ env: env(dir, file) });
    await sleep(3_000);
    const after = (await alertsOf(server)).alerts[0]!;
    expect(after).toMatchObject({ state: 'firing', activeAt: before.activeAt, firedAt: before.firedAt });
    expect(receiver.received).toHaveLength(1);

    // A stream that read up to now, then is away while the alert resolves, gets the `alert` event on resume.
    const seen = await readEvents(`${server.url}/api/stream?series=ALERTS*`, { until: (r) => r.events.some((e) => e.id) });
    const cursor = seen.events.findLast((e) => e.id)!.id!;
    load = 0.5;
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2);
    const resolved = receiver.received[1]!;
    expect(resolved.body).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'HighLoad', host: 'a' } }] });
    expect(resolved.body.alerts[0]!.annotations.summary).toBe('load on a at 0.5');
    expect(Date.parse(resolved.body.alerts[0]!.endsAt)).toBeGreaterThan(Date.parse(resolved.body.alerts[0]!.startsAt));
    expect(receiver.signed(resolved, SECRET)).toBe(true);
    const resumed = await readEvents(`${server.url}/api/stream?series=ALERTS*`, {
      headers: { 'Last-Event-ID': cursor },
      until: (r) => r.events.some((e) => e.event === 'alert' && e.data.includes('"v":0') && e.data.includes('alertstate=\\"firing\\"')),
    });
    const alertEvents = resumed.events.filter((e) => e.event === 'alert');
    expect(alertEvents.length).toBeGreaterThan(0);
    const resolvedPoint = alertEvents.flatMap((e) => (JSON.parse(e.data) as { alerts: Array<{ series: string; v: number }> }).alerts).find((a) => a.v === 0 && a.series.includes('alertstate="firing"'));
    expect(resolvedPoint?.series).toBe('ALERTS{alertname="HighLoad",alertstate="firing",host="a",severity="critical"}');
    // Each `alert` piece is part of a batch: it says more, and the batch's points (with the id) follow.
    expect(alertEvents.every((e) => e.id === undefined && (JSON.parse(e.data) as { more?: boolean }).more === true)).toBe(true);

    await sleep(2_000);
    expect(receiver.received).toHaveLength(2);
    const status = await alertsOf(server);
    expect(status.alerts).toHaveLength(0);
    expect(status.channels[0]).toMatchObject({ name: 'hook', sent: 1, failed: 0, queued: 0 });
    const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
    expect(metrics).toMatch(/^pulseboard_alert_notifications_sent_total\{channel="hook"\} 1$/m);
    // The ALERTS series is not exposed: what /api/metrics prints can be ingested again.
    expect(metrics).not.toMatch(/^ALERTS/m);
  } finally {
    await pusher.stop();
    await server.stop('SIGKILL');
    await receiver.stop();
  }
});

test('a receiver down for 10 s gets the message once, late, counted as retried; a silence holds a firing message back until it expires; repeat sends again', async () => {
  test.setTimeout(90_000);
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-'));
  const file = alertsFile(dir, receiver, { for: '0s', repeat: '6s' });
  const server = await startServer({ env: env(dir, file) });
  let load = 0.5;
  const pusher = pushLoad(() => server, () => load);
  try {
    receiver.down();
    load = 0.95;
    await expect.poll(async () => (await alertsOf(server)).channels[0]?.failed ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const status = await alertsOf(server);
    expect(status.channels[0]!.lastError).toBe('HTTP 503');
    expect(server.output()).toContain('hook answered HTTP 503: down for maintenance');
    await sleep(10_000);
    expect(receiver.received).toHaveLength(0);
    const refused = receiver.refused;
    expect(refused).toBeGreaterThanOrEqual(3);
    receiver.up();
    await expect.poll(() => receiver.received.length, { timeout: 35_000 }).toBe(1);
    expect(receiver.received[0]!.body.status).toBe('firing');
    expect((await alertsOf(server)).channels[0]).toMatchObject({ sent: 1, retried: 1, queued: 0 });
    // `repeat: 6s`: sent again while it fires.
    await expect.poll(() => receiver.received.length, { timeout: 12_000 }).toBe(2);
    expect(receiver.received[1]!.body.status).toBe('firing');
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(5_000);
    load = 0.5;
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(3);
    expect(receiver.received[2]!.body.status).toBe('resolved');

    // A silence of host="a" for 5 s, written through the API: the alert fires, silenced; once it expires the message goes.
    const until = new Date(Date.now() + 5_000).toISOString();
    const rules = JSON.parse(await (await fetch(`${server.url}/api/alerts/rules`)).text()) as Record<string, unknown>;
    const put = await fetch(`${server.url}/api/alerts/rules`, { method: 'PUT', body: JSON.stringify({ ...rules, silences: [{ matchers: 'host="a"', until, comment: 'e2e' }] }) });
    expect(put.status).toBe(200);
    const silencedAt = Date.now();
    load = 0.95;
    await expect.poll(async () => (await alertsOf(server)).alerts[0]?.silenced, { timeout: 5_000 }).toBe(true);
    expect(receiver.received).toHaveLength(3);
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(4);
    expect(receiver.received[3]!.at).toBeGreaterThanOrEqual(Date.parse(until));
    expect(receiver.received[3]!.at - silencedAt).toBeLessThan(9_000);
  } finally {
    await pusher.stop();
    await server.stop('SIGKILL');
    await receiver.stop();
  }
});

test('bad rules are refused naming the rule and field, the good ones stay in force; ALERTS cannot be written from outside', async () => {
  const receiver = await startReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-'));
  const file = alertsFile(dir, receiver);
  const server = await startServer({ env: { ...env(dir, file), INGEST_TOKEN: 'e2e-ingest-token-0123' } });
  try {
    // Read back, the channels' secrets and header values are hidden; sent back as read, they are kept.
    const read = await (await fetch(`${server.url}/api/alerts/rules`)).text();
    expect(read).not.toContain(SECRET);
    expect(read).not.toContain('"ops"');
    expect(JSON.parse(read).channels[0]).toMatchObject({ secret: '<hidden>', headers: { 'X-Team': '<hidden>' } });
    expect((await fetch(`${server.url}/api/alerts/rules`, { method: 'PUT', body: read })).status).toBe(200);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).channels[0]).toMatchObject({ secret: SECRET, headers: { 'X-Team': 'ops' } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // INGEST_TOKEN is a producer's key: it writes metrics, not the rules.
    const producer = await fetch(`${server.url}/api/alerts/rules`, { headers: { authorization: 'Bearer e2e-ingest-token-0123' } });
    expect(producer.status).toBe(403);
    const bad = await fetch(`${server.url}/api/alerts/rules`, { method: 'PUT', body: JSON.stringify({ rules: [{ name: 'Broken', query: 'app_load', above: 1, clearBelow: 2 }] }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { issues: Array<{ message: string }> }).issues[0]!.message).toMatch(/rule 1 \("Broken"\), clearBelow: must be at most above \(1\)/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).rules[0].name).toBe('HighLoad');
    // A file broken on disk: the rules read before stay, and the API says why.
    fs.writeFileSync(file, '{"rules": [{"name": "X", "query": "sum by (", "above": 1}]}');
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/alerts`)).json()) as { configError: string | null }).configError, { timeout: 5_000 }).toMatch(/rule 1 \("X"\), query:/);
    // Not JSON: where, never the text around it (it may be a secret).
    fs.writeFileSync(file, '{"channels": [{"secret": super-secret-value-here}]}');
    await expect.poll(async () => ((await (await fetch(`${server.url}/api/alerts`)).json()) as { configError: string | null }).configError, { timeout: 5_000 }).toMatch(/: not JSON( \(at character \d+\))?$/);
    expect(JSON.stringify(await (await fetch(`${server.url}/api/alerts`)).json())).not.toContain('super-secret');
    expect(((await (await fetch(`${server.url}/api/alerts`)).json()) as { rules: Array<{ name: string }> }).rules.map((r) => r.name)).toEqual(['HighLoad']);
    const asProducer = { 'content-type': 'application/json', authorization: 'Bearer e2e-ingest-token-0123' };
    const forged = await post(server.url, JSON.stringify({ points: [{ name: 'ALERTS', labels: { alertname: 'Fake', alertstate: 'firing' }, value: 1 }] }), asProducer);
    expect(forged.status).toBe(422);
    expect(forged.json.issues?.[0]?.message).toMatch(/ALERTS is written by Pulseboard's alert evaluator/);
    const text = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { ...asProducer, 'content-type': 'text/plain' }, body: 'ALERTS{alertname="Fake"} 1\n' });
    expect(text.status).toBe(422);
    // Another site's page cannot rewrite the rules through a visitor's browser.
    const cross = await fetch(`${server.url}/api/alerts/rules`, { method: 'PUT', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect(cross.status).toBe(403);
  } finally {
    await server.stop('SIGKILL');
    await receiver.stop();
  }
});
