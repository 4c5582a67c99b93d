import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useRef, useState } from 'react';
import type { Snapshot } from '@/lib/wire';
import { LiveStore, type LiveState } from './live-store';
import { openSharedStream } from './shared-stream';

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

  // The stream starts exactly after the snapshot this page was rendered with.
  const router = useRouter();
  const renderedAt = useRef(snapshot.cursor);
  useEffect(
    () =>
      openSharedStream('/api/stream', renderedAt.current, {
        points: (points) => store.applyPoints(points),
        series: (announcement) => store.applySeries(announcement),
        reset: () => {
          store.markReset();
          router.refresh();
        },
        status: (status, attempt) => store.setStatus(status, attempt),
        bus: (notice) => store.setBus(notice),
      }),
    [store, router],
  );

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
