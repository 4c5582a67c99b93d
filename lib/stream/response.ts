import type { SeriesFilter } from '@/lib/series';
import type { Hub } from './hub';

/** Headers every event stream carries; `no-transform` also keeps compression off the stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/** An SSE `Response` for `filter` (resuming after `since`), ended by the request's abort signal or the client going away. */
export function eventStreamResponse(hub: Hub, filter: SeriesFilter, signal: AbortSignal, since?: string): Response {
  return new Response(hub.open(filter, signal, since), { headers: SSE_HEADERS });
}
