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

/**
 * Opens an event stream for a request to `GET /api/stream`. A reconnecting browser's
 * `Last-Event-ID` wins over `since=`, which only describes where the first connection starts.
 */
export function openStream(params: URLSearchParams, headers: Headers, signal: AbortSignal): Response {
  const parsed = streamQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid stream query', toIssues(parsed.error));
  const since = headers.get('last-event-id')?.trim() || parsed.data.since;
  return eventStreamResponse(getRuntime().hub, compileSeriesFilter(parsed.data.series), signal, since);
}
