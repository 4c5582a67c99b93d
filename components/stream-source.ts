import type { Sample, SeriesMeta } from '@/lib/series';

export type StreamStatus = 'connecting' | 'catching-up' | 'live' | 'reconnecting';

/** The server's word on its bus: `down` while Redis is unreachable (new points are delayed). */
export interface BusNotice {
  state: 'connecting' | 'up' | 'down' | 'closed';
  message?: string;
}

/** What a stream delivers, whoever holds the connection. */
export interface StreamSink {
  points(points: Sample[], id: string | null): void;
  series(series: SeriesMeta[]): void;
  /** The server no longer has what this client missed: refetch history. */
  reset(): void;
  status(status: StreamStatus, attempt: number): void;
  bus(notice: BusNotice): void;
}

/** One message as relayed between tabs. */
export type StreamMessage =
  | { type: 'points'; points: Sample[]; id: string | null }
  | { type: 'series'; series: SeriesMeta[] }
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
  let lastId = since;

  const connect = () => {
    const full = lastId ? `${url}${url.includes('?') ? '&' : '?'}since=${encodeURIComponent(lastId)}` : url;
    source = new EventSource(full);
    source.onopen = () => emit({ type: 'status', status: 'catching-up', attempt });
    source.addEventListener('live', () => {
      attempt = 0;
      emit({ type: 'status', status: 'live', attempt: 0 });
    });
    source.addEventListener('points', (e) => {
      lastId = e.lastEventId || lastId;
      emit({ type: 'points', points: JSON.parse(e.data).points, id: lastId });
    });
    source.addEventListener('series', (e) => emit({ type: 'series', series: JSON.parse(e.data).series }));
    source.addEventListener('bus', (e) => emit({ type: 'bus', notice: JSON.parse(e.data) }));
    source.addEventListener('reset', (e) => {
      lastId = e.lastEventId || null;
      emit({ type: 'reset', id: lastId });
    });
    source.onerror = () => {
      attempt++;
      emit({ type: 'status', status: 'reconnecting', attempt });
      if (source?.readyState === EventSource.CLOSED) {
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
        timer = setTimeout(connect, delay);
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
      return sink.series(m.series);
    case 'reset':
      return sink.reset();
    case 'status':
      return sink.status(m.status, m.attempt);
    case 'bus':
      return sink.bus(m.notice);
  }
}

/**
 * Orders cursors of the form `<a>-<b>` (the embedded bus's `<epoch>-<seq>`, Redis's `<ms>-<seq>`):
 * negative when `x` is older. Parts are numbers written without leading zeros in base 36 or 10, so
 * a longer part is larger and equal lengths compare as text: exact for any length (a Redis id's
 * 13-digit milliseconds read as base 36 would exceed what a double holds exactly).
 */
export function compareCursors(x: string, y: string): number {
  const [xa = '', xb = ''] = x.split('-');
  const [ya = '', yb = ''] = y.split('-');
  return comparePart(xa, ya) || comparePart(xb, yb);
}

function comparePart(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
