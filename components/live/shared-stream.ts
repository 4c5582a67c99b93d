import { compareCursors } from '@/lib/wire';
import { deliver, openEventSource, type StreamMessage, type StreamSink } from './stream-source';

/** Relayed messages a leader keeps, so a tab that joins late can catch up without its own connection. */
export const RECENT = 2_000;

type Wire =
  | { kind: 'event'; message: StreamMessage }
  | { kind: 'hello'; from: string; since: string | null }
  | { kind: 'catch-up'; to: string; messages: StreamMessage[]; gone: boolean };

/**
 * What a leader sends a tab that joins with the newest cursor it has (`since`, null: none): the
 * relayed messages after it, and whether some it needs are gone (older than the leader's stream,
 * `startedFrom`, or than the oldest it still holds once it holds RECENT), so the tab refetches.
 * It starts just after the last `points` message the tab already has, so the series
 * announcements that precede newer points travel with them.
 */
export function catchUp(recent: readonly StreamMessage[], since: string | null, startedFrom: string | null): { messages: StreamMessage[]; gone: boolean } {
  const ids = recent.flatMap((m, i) => (m.type === 'points' && m.id ? [[i, m.id] as const] : []));
  const first = ids[0]?.[1];
  const older = (x: string | null | undefined) => since !== null && !!x && compareCursors(since, x) < 0;
  const gone = older(startedFrom) || (recent.length >= RECENT && older(first));
  let start = since === null ? recent.length : 0;
  if (since !== null) for (const [i, id] of ids) if (compareCursors(id, since) <= 0) start = i + 1;
  return { messages: recent.slice(start), gone };
}

/**
 * One EventSource per browser, shared by every tab of this origin. The tab holding a Web Lock
 * leads: it opens the stream and relays every message over a BroadcastChannel; the others
 * follow. When the leader closes, the lock passes to a waiting tab, which resumes from the last
 * cursor it saw. HTTP/1.1 allows about six connections per host, so a stream per tab would hang
 * the seventh tab. Without Web Locks or BroadcastChannel, each tab has its own stream.
 */
export function openSharedStream(url: string, since: string | null, sink: StreamSink): () => void {
  if (typeof navigator === 'undefined' || !navigator.locks || typeof BroadcastChannel === 'undefined') {
    return openEventSource(url, since, (m) => deliver(sink, m));
  }
  const name = `pulseboard-stream:${url}`;
  const channel = new BroadcastChannel(name);
  const me = Math.random().toString(36).slice(2);
  const abort = new AbortController();
  const recent: StreamMessage[] = [];
  let lastId = since;
  let leading = false;
  let closeSource: (() => void) | undefined;
  let lastStatus: StreamMessage = { type: 'status', status: 'connecting', attempt: 0 };
  let lastBus: StreamMessage = { type: 'bus', notice: { state: 'up' } };
  let release: (() => void) | undefined;
  let startedFrom: string | null = null;
  // Until the leader answers with what this tab missed, newer relayed messages wait, so that
  // older points are never skipped as duplicates of newer ones. No answer means no leader.
  let queued: StreamMessage[] | undefined = [];
  const stopQueueing = () => {
    const pending = queued ?? [];
    queued = undefined;
    for (const m of pending) apply(m);
  };
  const noLeader = setTimeout(stopQueueing, 1_000);

  const apply = (m: StreamMessage) => {
    if ((m.type === 'points' || m.type === 'reset') && m.id) lastId = m.id;
    if (m.type === 'status') lastStatus = m;
    if (m.type === 'bus') lastBus = m;
    deliver(sink, m);
  };

  channel.onmessage = (e: MessageEvent<Wire>) => {
    const wire = e.data;
    if (wire.kind === 'event' && !leading) {
      if (queued) queued.push(wire.message);
      else apply(wire.message);
    } else if (wire.kind === 'hello' && leading) {
      const { messages, gone } = catchUp(recent, wire.since, startedFrom);
      channel.postMessage({ kind: 'catch-up', to: wire.from, messages: [...messages, lastStatus, lastBus], gone } satisfies Wire);
    } else if (wire.kind === 'catch-up' && wire.to === me && !leading) {
      clearTimeout(noLeader);
      if (wire.gone) sink.reset();
      for (const m of wire.messages) apply(m);
      stopQueueing();
    }
  };

  void navigator.locks
    .request(name, { signal: abort.signal }, () => {
      leading = true;
      clearTimeout(noLeader);
      stopQueueing();
      startedFrom = lastId;
      closeSource = openEventSource(url, lastId, (m) => {
        if (m.type !== 'status' && m.type !== 'bus') {
          recent.push(m);
          if (recent.length > RECENT) recent.splice(0, recent.length - RECENT);
        }
        apply(m);
        channel.postMessage({ kind: 'event', message: m } satisfies Wire);
      });
      // Hold the lock until this tab goes away.
      return new Promise<void>((resolve) => (release = resolve));
    })
    .catch(() => {
      // Aborted while waiting: this tab closed before it ever led.
    });
  // A follower asks the leader (if any) for what it missed since its snapshot.
  channel.postMessage({ kind: 'hello', from: me, since } satisfies Wire);

  return () => {
    clearTimeout(noLeader);
    abort.abort();
    closeSource?.();
    release?.();
    channel.close();
  };
}
