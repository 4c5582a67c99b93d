import type { SeriesFilter } from '@/lib/series';
import type { Hub, OpenOptions } from './hub';

/** Headers every event stream carries; `no-transform` also keeps compression off the stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/**
 * An SSE `Response` for `filter` (resuming after `since`), ended by the request's abort signal or
 * the client going away. Throws StreamLimitError past the per-client or distinct-filter cap.
 */
export function eventStreamResponse(hub: Hub, filter: SeriesFilter, options: OpenOptions): Response {
  return new Response(hub.open(filter, options), { headers: SSE_HEADERS });
}
