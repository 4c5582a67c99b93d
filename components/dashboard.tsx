'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import type { DashboardData } from '@/lib/api';
import { WINDOWS, layoutPanels, toRate } from '@/lib/dashboard';
import { LiveStore, type LiveSeries, type LiveState } from './live-store';
import { PanelCard } from './panel-card';
import { StatusBadge } from './status-badge';
import { openSharedStream } from './shared-stream';
import { useHydrated } from './use-hydrated';
import { WindowPicker } from './window-picker';

declare global {
  interface Window {
    pulseboard?: { state: () => LiveState };
  }
}

const rates = new WeakMap<LiveSeries['points'], LiveSeries['points']>();

/** What a panel draws of a series: its values, or for a counter its per-second rate (cached per points array). */
function shown(series: LiveSeries | undefined, rate: boolean | undefined): LiveSeries | undefined {
  if (!series || !rate) return series;
  let points = rates.get(series.points);
  if (!points) rates.set(series.points, (points = toRate(series.points)));
  return { meta: series.meta, points };
}

/** The live dashboard: starts from the server's snapshot, then appends what the stream brings. */
export function Dashboard({ data }: { data: DashboardData }) {
  const [store] = useState(() => new LiveStore(data.snapshot));
  const loaded = useRef(data.snapshot);
  useEffect(() => {
    // A new window was picked: the server rendered a new snapshot; merge it, keep the stream.
    if (loaded.current !== data.snapshot) {
      loaded.current = data.snapshot;
      store.load(data.snapshot);
    }
  }, [data.snapshot, store]);
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
  const renderedAt = useRef(data.snapshot.cursor);
  useEffect(
    () =>
      openSharedStream('/api/stream', renderedAt.current, {
        points: (points) => store.applyPoints(points),
        series: (series) => store.applyMeta(series),
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
  const hydrated = useHydrated();

  const signature = [...state.series.values()].map((s) => `${s.meta.key} ${s.meta.unit} ${s.meta.type}`).join('\n');
  const panels = useMemo(
    () => layoutPanels([...state.series.values()].map((s) => s.meta)),
    // Re-layout only when the set of series changes, not on every point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [signature],
  );

  // The x-axis ends at the newest point (server time), so a skewed client clock cannot hide data.
  let newest = data.snapshot.takenAt;
  for (const s of state.series.values()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? newest);
  const windowMs = WINDOWS[data.window];

  return (
    <div className="dashboard">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◢
          </span>
          <h1>Pulseboard</h1>
          <span className="instance" title="instance">
            {data.instance}
          </span>
        </div>
        <div className="controls">
          <WindowPicker current={data.window} />
          <StatusBadge
            status={state.status}
            attempt={state.attempt}
            bus={state.bus}
            lastUpdate={state.lastEventAt ?? data.snapshot.takenAt}
            resetAt={state.resetAt}
            hydrated={hydrated}
          />
        </div>
      </header>
      {panels.length === 0 ? (
        <p className="empty">Waiting for the first points… the collector publishes every {data.intervalMs / 1000} s.</p>
      ) : (
        <main className="grid">
          {panels.map((panel) => (
            <PanelCard
              key={panel.id}
              panel={panel}
              series={panel.lines.map((l) => shown(state.series.get(l.key), panel.rate))}
              from={newest - windowMs}
              to={newest}
              hydrated={hydrated}
            />
          ))}
        </main>
      )}
    </div>
  );
}
