import type { Cursor } from '@/lib/bus';
import type { Sample, SeriesMeta } from '@/lib/series';
import { encodeEvent } from './sse';

/** What one stream (or one filter's streams) gets of some messages: matching samples and announcements. */
export interface Selection {
  samples: Sample[];
  meta: SeriesMeta[];
}

/** The `series` event (new series first) and `points` event of a selection, or '' when it is empty. */
export function encodeSelection(id: Cursor, { samples, meta }: Selection): { text: string; events: number } {
  let text = '';
  let events = 0;
  if (meta.length > 0) {
    text += encodeEvent({ event: 'series', data: JSON.stringify({ series: meta }) });
    events++;
  }
  if (samples.length > 0) {
    text += encodeEvent({ event: 'points', id, data: JSON.stringify({ points: samples }) });
    events++;
  }
  return { text, events };
}

/**
 * The event telling a client that the server no longer has what it missed: it refetches history
 * and continues from `latest`, which the event's id hands it.
 */
export function encodeReset(latest: Cursor | null, reason: string): string {
  return encodeEvent({
    event: 'reset',
    ...(latest !== null && { id: latest }),
    data: JSON.stringify({ reason: `${reason}: refetch history`, cursor: latest }),
  });
}
