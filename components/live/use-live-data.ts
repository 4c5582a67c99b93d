import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useRef, useState } from 'react';
import type { Snapshot } from '@/lib/wire';
import { LiveStore, type LiveState } from './live-store';

declare global {
  interface Window {
    pulseboard?: { state: () => LiveState };
  }
}

/**
 * The browser's live copy of the data: starts from the server's snapshot, then appends what the
 * shared stream brings. A new snapshot (a new window was picked) is merged, the stream kept.
 */
export function useLiveData(snapshot: Snapshot): { store: LiveStore; state: LiveState } {
  const [store] = useState(() => new LiveStore(snapshot));
  const loaded = useRef(snapshot);
  useEffect(() => {
    if (loaded.current !== snapshot) {
      loaded.current = snapshot;
      store.load(snapshot);
    }
  }, [snapshot, store]);
  useEffect(() => {
    // A handle for debugging in the console (and for the end-to-end tests): window.pulseboard.state()
    window.pulseboard = { state: store.getState };
    return () => {
      delete window.pulseboard;
      store.dispose();
    };
  }, [store]);

  // The stream starts exactly after the snapshot this page was rendered with. Its code (the
  // stream, the cross-tab sharing, the wire decoding) loads once the page is hydrated: nothing of
  // it is needed to show the snapshot (first-load JS budget). A failed load is retried.
  const router = useRouter();
  const renderedAt = useRef(snapshot.cursor);
  useEffect(() => {
    let close: (() => void) | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = (attempt: number) =>
      import('./shared-stream').then(
        ({ openSharedStream }) => {
          if (stopped) return;
          close = openSharedStream('/api/stream', renderedAt.current, {
            points: (points) => store.applyPoints(points),
            series: (announcement) => store.applySeries(announcement),
            reset: () => {
              store.markReset();
              router.refresh();
            },
            status: (status, n) => {
              store.setStatus(status, n);
              // The session ended (AUTH=password): sign in again, and come back here.
              if (status === 'signed-out') router.push(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
            },
            bus: (notice) => store.setBus(notice),
          });
        },
        () => {
          if (stopped) return;
          store.setStatus('reconnecting', attempt);
          retry = setTimeout(() => void open(attempt + 1), Math.min(30_000, 1_000 * 2 ** attempt));
        },
      );
    void open(1);
    return () => {
      stopped = true;
      clearTimeout(retry);
      close?.();
    };
  }, [store, router]);

  // Renders of new data are transitions: React renders the charts in slices, yielding to input
  // and frames between them, and skips to the newest data if more arrives meanwhile.
  const [state, setState] = useState(store.getState);
  useEffect(() => {
    const sync = () => startTransition(() => setState(store.getState()));
    sync();
    return store.subscribe(sync);
  }, [store]);
  return { store, state };
}
