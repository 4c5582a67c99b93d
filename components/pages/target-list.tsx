'use client';

import { useEffect, useState } from 'react';
import type { TargetStatus } from '@/lib/scrape/status';
import { toSeriesKey } from '@/lib/series/key';
import type { LiveSeries } from '../live/live-store';
import { formatClock } from '../common/format-time';
import { useHydrated } from '../common/use-hydrated';

// How often the targets' errors are asked for while one is down (the stream says up/down at once).
const POLL_MS = 5_000;

/**
 * The scrape targets, each green or red: up or down from the newest `up` point on the stream (so
 * a target going down shows within its next scrape), with the error the server last saw.
 */
export function TargetList({ initial, held }: { initial: readonly TargetStatus[]; held: ReadonlyMap<string, LiveSeries> }) {
  const hydrated = useHydrated();
  const [targets, setTargets] = useState(initial);
  // A new render from the server (a link followed) starts from its figures.
  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    setTargets(initial);
  }
  const anyDown = targets.some((t) => upOf(t, held) === false);
  useEffect(() => {
    if (!anyDown) return;
    let live = true;
    const poll = () =>
      fetch('/api/scrape', { headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? (r.json() as Promise<{ targets: TargetStatus[] }>) : null))
        .then((body) => live && body && setTargets(body.targets))
        .catch(() => undefined);
    void poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [anyDown]);
  return (
    <ul className="target-list" aria-label="Scrape targets">
      {targets.map((t) => {
        const up = upOf(t, held) ?? (t.health === 'unknown' ? null : t.health === 'up');
        const state = up === null ? 'unknown' : up ? 'up' : 'down';
        return (
          <li key={`${t.job} ${t.instance}`} className={`target target-${state}`} data-testid="target" data-health={state}>
            <span className="target-dot" aria-hidden />
            <span className="target-name">
              {t.job} <span className="target-instance">{t.instance}</span>
            </span>
            <span className="target-state">{state === 'unknown' ? 'not scraped yet' : state}</span>
            {state === 'down' && t.lastError && (
              <span className="target-error" data-testid="target-error">
                {t.lastError}
              </span>
            )}
            {t.lastScrape !== null && state !== 'unknown' && (
              <span className="target-meta">
                {t.samples ?? 0} samples in {t.durationMs ?? 0} ms at {formatClock(t.lastScrape, hydrated)}, every {t.intervalMs / 1000} s
                {t.scrapedBy ? ` by ${t.scrapedBy}` : ''}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The newest `up` of a target on the stream: true, false, or null when none is held. */
function upOf(t: TargetStatus, held: ReadonlyMap<string, LiveSeries>): boolean | null {
  const last = held.get(toSeriesKey('up', { ...t.labels, instance: t.instance, job: t.job }))?.points.at(-1);
  return last ? last[1] === 1 : null;
}
