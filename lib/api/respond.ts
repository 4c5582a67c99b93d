import 'server-only';
import { headers } from 'next/headers';
import { clip, errorResponse, handle } from '@/lib/http';
import { passedGate } from '@/lib/runtime';

/**
 * Runs an API handler for a request the gate has seen; one that reached Next.js before the gate
 * was installed (the first moments of start-up) gets 503 and comes back, so no request is ever
 * served without the Host and cross-site checks. Errors are mapped in one place (`handle`).
 */
export function respond(request: Request, body: () => Response | Promise<Response>): Promise<Response> {
  if (!passedGate(request.headers)) {
    return Promise.resolve(errorResponse(503, 'starting up: retry in a moment', [], { 'Retry-After': '1' }));
  }
  return handle(body);
}

/**
 * Whether a page may read data for this request: false only for a request that reached Next.js
 * before the gate was installed (its Host was never checked). The page then renders nothing and
 * the root layout says Pulseboard is starting, so not even the page's payload carries data.
 */
export async function pageAdmitted(): Promise<boolean> {
  return passedGate(await headers());
}

/** A route handler answering 405 with `Allow` and the JSON error shape, for methods a route does not take. */
export function methodNotAllowed(allow: readonly string[]): (request: Request) => Response {
  const list = [...allow, ...(allow.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return (request) => errorResponse(405, `${request.method} is not allowed here; allowed: ${list}`, [], { Allow: list });
}

/** Answers 404 with the JSON error shape for a path under /api that names no resource. */
export function noSuchEndpoint(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  return respond(request, () => errorResponse(404, `no API endpoint ${clip(path)}; see the API section of the README`));
}
