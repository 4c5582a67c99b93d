import 'server-only';
import { z } from 'zod';
import { HttpError, toIssues } from '@/lib/http';
import { getRuntime } from '@/lib/runtime';
import { compileSeriesFilter } from '@/lib/series';
import { eventStreamResponse } from '@/lib/stream';

const MAX_GLOBS = 64;

/** `GET /api/stream` query: `series` is comma-separated globs over series keys. */
export const streamQuerySchema = z.object({
  series: z
    .string()
    .max(4096, 'at most 4096 characters')
    .optional()
    .transform((s) => (s ? s.split(',') : []))
    .refine((globs) => globs.length <= MAX_GLOBS, `at most ${MAX_GLOBS} globs`),
  /** Cursor to resume after, on first connect (the server-rendered page hands it over). */
  since: z.string().min(1).max(128).optional(),
});
export type StreamQuery = z.infer<typeof streamQuerySchema>;

// A cursor handed out by another instance may be ahead of this one's reader by a few ms.
const CATCH_UP_TIMEOUT_MS = 2_000;

/**
 * Opens an event stream for a request to `GET /api/stream`. A reconnecting browser's
 * `Last-Event-ID` wins over `since=`, which only describes where the first connection starts.
 * A cursor this instance has not read yet (it came from a peer) is waited for, briefly.
 */
export async function openStream(params: URLSearchParams, headers: Headers, signal: AbortSignal): Promise<Response> {
  const parsed = streamQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid stream query', toIssues(parsed.error));
  const since = headers.get('last-event-id')?.trim() || parsed.data.since;
  const { hub, bus } = getRuntime();
  if (since !== undefined) await bus.caughtUp(since, CATCH_UP_TIMEOUT_MS);
  return eventStreamResponse(hub, compileSeriesFilter(parsed.data.series), { signal, since });
}
