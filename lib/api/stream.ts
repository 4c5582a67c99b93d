import 'server-only';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Env } from '@/lib/env';
import { HttpError, toIssues } from '@/lib/http';
import { getAccess, identityOf, scopeOf, withinScope } from '@/lib/access';
import { getRuntime, peerOf } from '@/lib/runtime';
import { compileSeriesFilter } from '@/lib/series';
import { eventStreamResponse, jitter, SSE_HEADERS, StreamLimitError } from '@/lib/stream';
import { admitSeriesFilter, workLimit } from './limits';

// Cursors Pulseboard hands out are far shorter; a longer one did not come from it.
const CURSOR_MAX_LENGTH = 128;

/** `GET /api/stream` query, within the configured caps: `series` is comma-separated globs over series keys. */
export function streamQuerySchema({ QUERY_MAX_LENGTH, QUERY_MAX_TERMS }: Pick<Env, 'QUERY_MAX_LENGTH' | 'QUERY_MAX_TERMS'>) {
  return z.object({
    series: z
      .string()
      .max(QUERY_MAX_LENGTH, `at most ${QUERY_MAX_LENGTH} characters (QUERY_MAX_LENGTH)`)
      .optional()
      .transform((s) => (s ? s.split(',') : []))
      .refine((globs) => globs.length <= QUERY_MAX_TERMS, `at most ${QUERY_MAX_TERMS} globs (QUERY_MAX_TERMS)`),
    /** Cursor to resume after, on first connect (the server-rendered page hands it over). */
    since: z.string().min(1).max(CURSOR_MAX_LENGTH).optional(),
  });
}
export type StreamQuery = z.infer<ReturnType<typeof streamQuerySchema>>;

// A cursor handed out by another instance may be ahead of this one's reader by a few ms.
const CATCH_UP_TIMEOUT_MS = 2_000;
// Longer than any IP address written out; the header is Pulseboard's own, but still outside text.
const ADDRESS_MAX_LENGTH = 64;
// A refused client is told to wait about this long, jittered so that a crowd spreads out.
const RETRY_AFTER_MS = 5_000;

/**
 * The client a stream counts against: the socket's peer as the request gate stamped it; for IPv6
 * its /64, since one host may hold a whole /64 and pick a new address for every connection.
 */
function clientAddress(headers: Headers): string {
  const peer = (peerOf(headers) ?? '').slice(0, ADDRESS_MAX_LENGTH);
  return isIP(peer) === 6 ? `${ipv6Prefix64(peer)}::/64` : peer;
}

/** The first four groups of an IPv6 address, written out (`2001:db8::1` → `2001:db8:0:0`). */
export function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => (g.replace(/^0+/, '') || '0').toLowerCase()).join(':');
}

/** A stream cap reached, as the HTTP error a client (or its operator) can act on. */
function limitError(err: StreamLimitError, env: Env): HttpError {
  const headers = { 'Retry-After': String(Math.max(1, Math.round(jitter(RETRY_AFTER_MS) / 1000))) };
  if (err.reason === 'per_client') {
    const who = err.client || 'an unknown address';
    return new HttpError(429, `too many streams from ${who}: at most ${env.MAX_STREAMS_PER_CLIENT} per client address (MAX_STREAMS_PER_CLIENT); close one, or raise the setting if many clients share this address behind a proxy`, [], headers);
  }
  return new HttpError(503, `too many distinct series filters open: at most ${env.STREAM_MAX_FILTERS} (STREAM_MAX_FILTERS); a stream with a filter already open is still accepted`, [], headers);
}

/**
 * Opens an event stream for a request to `GET /api/stream`. A reconnecting browser's
 * `Last-Event-ID` wins over `since=`, which only describes where the first connection starts.
 * A cursor this instance has not read yet (it came from a peer) is waited for, briefly.
 * Past MAX_STREAMS_PER_CLIENT it answers 429, past STREAM_MAX_FILTERS (a new filter) 503; a
 * filter that could cost more than QUERY_MAX_WORK over the keys held, 400 before it opens.
 */
export async function openStream(params: URLSearchParams, headers: Headers, signal: AbortSignal): Promise<Response> {
  const { hub, bus, env, store } = getRuntime();
  const parsed = streamQuerySchema(env).safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, 'invalid stream query', toIssues(parsed.error));
  // A scoped user or token gets its scope's series only: points, announcements, replay, catch-up.
  const identity = identityOf(headers);
  const filter = withinScope(compileSeriesFilter(parsed.data.series), scopeOf(identity));
  admitSeriesFilter(filter, workLimit(env, store), 'invalid stream query');
  const lastEventId = headers.get('last-event-id')?.trim();
  if (lastEventId && lastEventId.length > CURSOR_MAX_LENGTH) {
    throw new HttpError(400, 'invalid stream query', [{ path: 'Last-Event-ID', message: `at most ${CURSOR_MAX_LENGTH} characters` }]);
  }
  const since = lastEventId || parsed.data.since;
  if (since !== undefined) await bus.caughtUp(since, CATCH_UP_TIMEOUT_MS);
  // The stream ends when its sign-in or token does (signed out anywhere, expired, removed, changed).
  const watched = getAccess().live.watch(identity, signal);
  try {
    return eventStreamResponse(hub, filter, { signal: watched.signal, since, client: clientAddress(headers), onClose: watched.release });
  } catch (err) {
    watched.release();
    throw StreamLimitError.is(err) ? limitError(err, env) : err;
  }
}

/**
 * `HEAD /api/stream`: the stream's headers and no body, without opening a stream. Next.js answers
 * HEAD with the GET handler and then never cancels the body, so a stream opened for a HEAD would
 * stay registered (and count against every cap) for good.
 */
export function streamHead(): Response {
  return new Response(null, { headers: SSE_HEADERS });
}
