import { createHash, createHmac } from 'node:crypto';
import { groupKey } from '@/lib/query';
import type { AlertInstance } from './machine';
import type { Channel, Rule } from './rules';

/*
 * Webhook notifications in Alertmanager's webhook format (version 4), so receivers written for
 * Alertmanager work: one message per transition and channel, `status` "firing" or "resolved".
 * With a secret, `X-Pulseboard-Signature: sha256=<hex HMAC-SHA256 of the exact body>`. Messages
 * wait in a bounded queue; one that fails is retried with backoff (1 s doubling to 30 s) for up to
 * RETRY_FOR_MS, then given up and counted. A 4xx other than 408 and 429 is not retried: the
 * receiver refuses the message, sending it again would not change that.
 */

/** Most messages waiting; past it the oldest is dropped (and counted). */
export const QUEUE_MAX = 10_000;
/** How long a message is retried before it is given up. */
export const RETRY_FOR_MS = 3_600_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** Bytes of a receiver's answer read (for the error shown), the rest discarded. */
const ANSWER_MAX = 512;
/** Messages sent at once to one channel: a receiver that hangs holds up its own messages only. */
const PER_CHANNEL = 2;

/** A message waiting to be sent, as kept in the state (it survives a restart). */
export interface Delivery {
  id: string;
  channel: string;
  /** The alert instance it is about (`rule\nkey`): its messages to one channel go in order. */
  alert: string;
  body: string;
  /** When it was first queued. */
  queuedAt: number;
  attempts: number;
  /** Not before this time. */
  dueAt: number;
}

export interface ChannelStatus {
  name: string;
  queued: number;
  sent: number;
  failed: number;
  retried: number;
  dropped: number;
  lastSentAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface NotifierTotals {
  sent: number;
  /** Attempts that failed (each retry that fails counts). */
  failedAttempts: number;
  /** Messages delivered after at least one failed attempt. */
  retried: number;
  /** Messages given up: refused by the receiver, retried for RETRY_FOR_MS, or pushed out of a full queue. */
  dropped: number;
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The labels a notification carries: the instance's, the rule's extra ones, alertname and severity. */
export function alertLabels(rule: Rule, instance: Pick<AlertInstance, 'labels'>): Record<string, string> {
  return { ...instance.labels, ...rule.labels, alertname: rule.name, severity: rule.severity };
}

/** Alertmanager's webhook body for one alert of one transition. */
export function webhookBody(
  rule: Rule,
  instance: AlertInstance,
  status: 'firing' | 'resolved',
  context: { receiver: string; externalURL: string; summary: string; endsAt?: number },
): string {
  const labels = alertLabels(rule, instance);
  const annotations: Record<string, string> = {};
  if (context.summary) annotations.summary = context.summary;
  if (rule.runbook) annotations.runbook_url = rule.runbook;
  const fingerprint = createHash('sha256').update(`${rule.name}\n${instance.key}`).digest('hex').slice(0, 16);
  const alert: AlertmanagerAlert = {
    status,
    labels,
    annotations,
    startsAt: new Date(instance.firedAt ?? instance.activeAt).toISOString(),
    endsAt: status === 'resolved' ? new Date(context.endsAt ?? Date.now()).toISOString() : ZERO_TIME,
    generatorURL: `${context.externalURL}/alerts?rule=${encodeURIComponent(rule.name)}`,
    fingerprint,
  };
  return JSON.stringify({
    version: '4',
    // One group per alert instance: a receiver that keys incidents by group closes only this one on its resolve.
    groupKey: `{}:${groupKey(labels)}`,
    truncatedAlerts: 0,
    status,
    receiver: context.receiver,
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: context.externalURL,
    alerts: [alert],
  });
}

/** `sha256=<hex>` of the body under the channel's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Why an answer or failure is an error, in a line (bounded). */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 300);
}

/** Sends queued messages to their channels, retrying with backoff; what it holds is read back by the state. */
export class Notifier {
  private queue: Delivery[] = [];
  private channels = new Map<string, Channel>();
  private readonly status = new Map<string, ChannelStatus>();
  private readonly inFlight = new Set<string>();
  /** Last delivery per alert instance; at most QUEUE_MAX remembered (the oldest forgotten). */
  private readonly delivered = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private kickPending = false;
  /** Messages waiting (or in flight) per alert instance: `waiting` without a scan. */
  private readonly perAlert = new Map<string, number>();
  private stopped = false;
  private seq = 0;
  readonly totals: NotifierTotals = { sent: 0, failedAttempts: 0, retried: 0, dropped: 0 };

  constructor(
    private readonly options: {
      /** Called when what is queued changes (to save it). */
      onChange?: () => void;
      now?: () => number;
      log?: (line: string) => void;
      /** Nothing is sent while false (another instance holds the alerts lease). */
      active?: () => boolean;
      /** While true, a message to a channel not configured waits rather than being dropped. */
      hold?: () => boolean;
    } = {},
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  setChannels(channels: readonly Channel[]): void {
    this.channels = new Map(channels.map((c) => [c.name, c]));
    for (const c of channels) if (!this.status.has(c.name)) this.status.set(c.name, { name: c.name, queued: 0, sent: 0, failed: 0, retried: 0, dropped: 0, lastSentAt: null, lastError: null, lastErrorAt: null });
    this.kick();
  }

  /** When a message about `alert` was last delivered (to any channel), for repeats counted from delivery. */
  deliveredAt(alert: string): number | undefined {
    return this.delivered.get(alert);
  }

  /** Whether a message about `alert` waits (or is being sent). */
  waiting(alert: string): boolean {
    return (this.perAlert.get(alert) ?? 0) > 0;
  }

  private counted(d: Delivery, by: 1 | -1): void {
    const n = (this.perAlert.get(d.alert) ?? 0) + by;
    if (n > 0) this.perAlert.set(d.alert, n);
    else this.perAlert.delete(d.alert);
  }

  /** Queues a message; past QUEUE_MAX the oldest waiting one is dropped. */
  enqueue(channel: string, body: string, alert: string): void {
    if (this.queue.length >= QUEUE_MAX) {
      const dropped = this.queue.shift()!;
      this.counted(dropped, -1);
      this.count(dropped.channel, 'dropped');
      this.options.log?.(`[pulseboard] alerts: queue full (${QUEUE_MAX}): a message to ${dropped.channel} queued at ${new Date(dropped.queuedAt).toISOString()} was dropped`);
    }
    const now = this.now;
    const d: Delivery = { id: `${now.toString(36)}-${(this.seq++).toString(36)}`, channel, alert, body, queuedAt: now, attempts: 0, dueAt: now };
    this.queue.push(d);
    this.counted(d, 1);
    this.options.onChange?.();
    this.soon();
  }

  /** One kick after whatever is being queued now (an evaluation queues many at once). */
  private soon(): void {
    if (this.kickPending) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.kick();
    });
  }

  /** What waits, for the state file (and a new leader). */
  pending(): Delivery[] {
    return this.queue.map((d) => ({ ...d }));
  }

  /** Takes over what another run (or instance) left waiting, instead of what this one held (but for what is being sent). */
  replace(deliveries: readonly Delivery[]): void {
    const sending = this.queue.filter((d) => this.inFlight.has(d.id));
    const ids = new Set(sending.map((d) => d.id));
    this.queue = [...sending, ...deliveries.slice(-QUEUE_MAX).filter((d) => !ids.has(d.id)).map((d) => ({ ...d }))];
    this.queue.sort((a, b) => a.queuedAt - b.queuedAt);
    this.perAlert.clear();
    for (const d of this.queue) this.counted(d, 1);
    this.soon();
  }

  /** Forgets what waits (another instance took over the sending); what is in flight ends without being tried again. */
  clear(): void {
    this.replace([]);
  }

  channelStatus(): ChannelStatus[] {
    const queued = new Map<string, number>();
    for (const d of this.queue) queued.set(d.channel, (queued.get(d.channel) ?? 0) + 1);
    return [...this.status.values()].filter((s) => this.channels.has(s.name)).map((s) => ({ ...s, queued: queued.get(s.name) ?? 0 }));
  }

  get size(): number {
    return this.queue.length;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Sends what is due (at most PER_CHANNEL at once to each channel), then sleeps until the next is due. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.options.active && !this.options.active()) return;
    const now = this.now;
    // One alert's messages to one channel in order: a resolve never overtakes its firing.
    const ahead = new Set<string>();
    const busy = new Map<string, number>();
    for (const d of this.queue) if (this.inFlight.has(d.id)) busy.set(d.channel, (busy.get(d.channel) ?? 0) + 1);
    let next = Infinity;
    for (const d of this.queue) {
      const line = `${d.channel}\n${d.alert}`;
      if (ahead.has(line)) continue;
      ahead.add(line);
      if (this.inFlight.has(d.id)) continue;
      // A channel at its limit is kicked again when one of its messages is answered, not polled.
      if ((busy.get(d.channel) ?? 0) >= PER_CHANNEL) continue;
      if (d.dueAt > now) {
        next = Math.min(next, d.dueAt);
        continue;
      }
      busy.set(d.channel, (busy.get(d.channel) ?? 0) + 1);
      void this.send(d);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.kick(), Math.max(10, next - now));
      this.timer.unref?.();
    }
  }

  private count(channel: string, what: 'sent' | 'failed' | 'retried' | 'dropped'): void {
    const s = this.status.get(channel);
    if (s) s[what]++;
    if (what === 'sent') this.totals.sent++;
    if (what === 'failed') this.totals.failedAttempts++;
    if (what === 'retried') this.totals.retried++;
    if (what === 'dropped') this.totals.dropped++;
  }

  private done(d: Delivery): void {
    const at = this.queue.findIndex((q) => q.id === d.id);
    if (at === -1) return;
    this.queue.splice(at, 1);
    this.counted(d, -1);
    this.options.onChange?.();
  }

  private async send(d: Delivery): Promise<void> {
    const channel = this.channels.get(d.channel);
    if (!channel) {
      if (this.options.hold?.()) return;
      // Its channel was removed from ALERTS_FILE: nowhere to send it.
      this.count(d.channel, 'dropped');
      this.done(d);
      return;
    }
    this.inFlight.add(d.id);
    d.attempts++;
    let error: string | null = null;
    let retry = true;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Pulseboard', ...channel.headers };
      if (channel.secret) headers['x-pulseboard-signature'] = signature(channel.secret, d.body);
      const response = await fetch(channel.url, { method: 'POST', headers, body: d.body, redirect: 'manual', signal: AbortSignal.timeout(channel.timeout) });
      const answer = await readSome(response);
      if (!response.ok) {
        // Readers see the error: the status only. What the receiver answered goes to the log (a URL is the rules' writer's to choose).
        error = `HTTP ${response.status}`;
        if (answer) this.options.log?.(`[pulseboard] alerts: ${d.channel} answered HTTP ${response.status}: ${answer.slice(0, 200)}`);
        // A redirect is not followed (it would carry the body and signature elsewhere) and will not change: given up.
        if (response.status >= 300 && response.status < 400) error = `HTTP ${response.status}: redirected; configure the final URL`;
        retry = response.status >= 500 || response.status === 408 || response.status === 429;
      }
    } catch (err) {
      error = describe(err);
    } finally {
      this.inFlight.delete(d.id);
    }
    const s = this.status.get(d.channel);
    const now = this.now;
    if (error === null) {
      this.count(d.channel, 'sent');
      if (d.attempts > 1) this.count(d.channel, 'retried');
      if (s) s.lastSentAt = now;
      this.delivered.delete(d.alert);
      this.delivered.set(d.alert, now);
      if (this.delivered.size > QUEUE_MAX) this.delivered.delete(this.delivered.keys().next().value as string);
      this.done(d);
    } else {
      this.count(d.channel, 'failed');
      if (s) {
        s.lastError = error;
        s.lastErrorAt = now;
      }
      if (!retry || now - d.queuedAt >= RETRY_FOR_MS) {
        this.count(d.channel, 'dropped');
        this.options.log?.(`[pulseboard] alerts: gave up a message to ${d.channel} after ${d.attempts} attempt(s): ${error}`);
        this.done(d);
      } else {
        d.dueAt = now + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(10, d.attempts - 1));
        this.options.onChange?.();
      }
    }
    this.kick();
  }
}

/** At most ANSWER_MAX characters of a receiver's answer, one line; the rest is discarded. */
async function readSome(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  let text = '';
  const decoder = new TextDecoder();
  try {
    while (text.length < ANSWER_MAX) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // the answer broke off: what came is enough
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return text.slice(0, ANSWER_MAX).replace(/\s+/g, ' ').trim();
}
