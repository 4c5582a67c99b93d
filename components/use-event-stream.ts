import { useEffect } from 'react';
import type { LiveStore } from './live-store';

const MAX_BACKOFF_MS = 30_000;

/**
 * Keeps one EventSource open to `url`, feeding `store` and its connection status. The browser
 * reconnects by itself after network errors (honouring the server's `retry:`); when it gives up
 * (a proxy's error page, a non-200), this reopens it with capped exponential backoff.
 */
export function useEventStream(store: LiveStore, url: string): void {
  useEffect(() => {
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;

    const connect = () => {
      source = new EventSource(url);
      source.onopen = () => {
        attempt = 0;
        store.setStatus('live');
      };
      source.addEventListener('points', (e) => store.applyPoints(JSON.parse(e.data).points));
      source.addEventListener('series', (e) => store.applyMeta(JSON.parse(e.data).series));
      source.onerror = () => {
        attempt++;
        store.setStatus('reconnecting', attempt);
        if (source?.readyState === EventSource.CLOSED) {
          const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
          timer = setTimeout(connect, delay);
        }
      };
    };

    store.setStatus('connecting');
    connect();
    return () => {
      clearTimeout(timer);
      source?.close();
    };
  }, [store, url]);
}
