import type { Sample } from '@/lib/series';
import { BatchAssembler, decodeEvent, type BusNotice, type SeriesPayload, type WholeBatch } from '@/lib/wire';

export type StreamStatus = 'connecting' | 'catching-up' | 'live' | 'reconnecting' | 'signed-out';

/** What a `series` event (all pieces of one batch together) says. */
type Announcement = Pick<SeriesPayload, 'metrics' | 'series'>;

/** What a stream delivers, whoever holds the connection. */
export interface StreamSink {
  points(points: Sample[], id: string | null): void;
  series(announcement: Announcement): void;
  /** The server no longer has what this client missed: refetch history. */
  reset(): void;
  status(status: StreamStatus, attempt: number): void;
  bus(notice: BusNotice): void;
}

/** One message as relayed between tabs. */
export type StreamMessage =
  | { type: 'points'; points: Sample[]; id: string | null }
  | { type: 'series'; announcement: Announcement }
  | { type: 'reset'; id: string | null }
  | { type: 'status'; status: StreamStatus; attempt: number }
  | { type: 'bus'; notice: BusNotice };

const MAX_BACKOFF_MS = 30_000;

/**
 * One EventSource to `url`, resuming after `since` on first connect (the browser sends
 * Last-Event-ID on its own reconnects). When the browser gives up (a proxy's error page, a
 * non-200), it is reopened with capped exponential backoff from the last id seen.
 * Returns the function that closes it.
 */
export function openEventSource(url: string, since: string | null, emit: (m: StreamMessage) => void): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let closed = false;
  let lastId = since;
  // A batch's pieces, put back together: its messages go out once its last piece is in.
  const batch = new BatchAssembler();
  const piece = (e: MessageEvent<string>, whole: WholeBatch | undefined) => {
    if (!whole) return;
    if (whole.announced) emit({ type: 'series', announcement: whole.announced });
    // The last piece carries the batch's id; a piece before it none (lastEventId is still the previous one's).
    const moved = e.lastEventId !== '' && e.lastEventId !== lastId;
    lastId = e.lastEventId || lastId;
    if (whole.points.length > 0 || moved) emit({ type: 'points', points: whole.points, id: lastId });
  };

  const connect = () => {
    const full = lastId ? `${url}${url.includes('?') ? '&' : '?'}since=${encodeURIComponent(lastId)}` : url;
    batch.drop();
    source = new EventSource(full);
    source.onopen = () => emit({ type: 'status', status: 'catching-up', attempt });
    source.addEventListener('live', () => {
      attempt = 0;
      emit({ type: 'status', status: 'live', attempt: 0 });
    });
    source.addEventListener('points', (e) => piece(e, batch.take(decodeEvent('points', e.data))));
    source.addEventListener('series', (e) => piece(e, batch.take(decodeEvent('series', e.data))));
    source.addEventListener('bus', (e) => emit({ type: 'bus', notice: decodeEvent('bus', e.data) }));
    source.addEventListener('reset', (e) => {
      batch.drop();
      lastId = e.lastEventId || null;
      emit({ type: 'reset', id: lastId });
    });
    source.onerror = () => {
      batch.drop();
      attempt++;
      emit({ type: 'status', status: 'reconnecting', attempt });
      if (source?.readyState === EventSource.CLOSED) {
        // EventSource does not say why it gave up: a 401 (the session ended, under AUTH=password)
        // is asked for once, so the page goes to sign in rather than retrying for ever.
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
        const retry = () => {
          if (!closed) timer = setTimeout(connect, delay);
        };
        void fetch(url, { method: 'HEAD', cache: 'no-store' }).then((res) => (res.status === 401 && !closed ? emit({ type: 'status', status: 'signed-out', attempt }) : retry()), retry);
      }
    };
  };

  // The browser knows before the socket does: drop the stream when the network goes, and come
  // back (resuming from the last id) the moment it returns rather than after the retry delay.
  const onOffline = () => {
    clearTimeout(timer);
    source?.close();
    attempt++;
    emit({ type: 'status', status: 'reconnecting', attempt });
  };
  const onOnline = () => {
    clearTimeout(timer);
    source?.close();
    connect();
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);

  emit({ type: 'status', status: 'connecting', attempt: 0 });
  connect();
  return () => {
    closed = true;
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('online', onOnline);
    clearTimeout(timer);
    source?.close();
  };
}

/** Delivers a relayed or direct message to a sink. */
export function deliver(sink: StreamSink, m: StreamMessage): void {
  switch (m.type) {
    case 'points':
      return sink.points(m.points, m.id);
    case 'series':
      return sink.series(m.announcement);
    case 'reset':
      return sink.reset();
    case 'status':
      return sink.status(m.status, m.attempt);
    case 'bus':
      return sink.bus(m.notice);
  }
}
