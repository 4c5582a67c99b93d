import 'server-only';
import type http from 'node:http';
import { Readable } from 'node:stream';

/** A route served by the gate itself: the same handler the route file exports, given a web Request. */
export type DirectHandler = (request: Request) => Promise<Response>;

const KEY = Symbol.for('pulseboard.direct');
type Holder = { [KEY]?: Map<string, DirectHandler> };

function routes(): Map<string, DirectHandler> {
  const holder = globalThis as Holder;
  holder[KEY] ??= new Map();
  return holder[KEY];
}

/**
 * Has the gate answer `method path` (the path exactly, any query) with `handler`, without Next.js'
 * per-request pipeline. Only for handlers whose route file calls the very same function, so both
 * ways in answer alike, and only for answers with a body of a known size (read whole, written
 * once): a streamed body stays with Next.js. At 1,000 points a request, Next.js' pipeline was
 * about 1.4 ms of the 5 ms an ingest request cost the server (docs/benchmarks.md).
 */
export function serveDirectly(method: string, path: string, handler: DirectHandler): void {
  routes().set(`${method} ${path}`, handler);
}

/** The direct handler for this request, if there is one. */
export function directHandler(req: http.IncomingMessage): DirectHandler | undefined {
  const table = routes();
  if (table.size === 0) return undefined;
  const target = req.url ?? '';
  const end = target.indexOf('?');
  return table.get(`${req.method ?? ''} ${end === -1 ? target : target.slice(0, end)}`);
}

/**
 * Answers a request the gate admitted with a direct handler: the request as Next.js would hand it
 * to the route (headers as Node parsed them plus the gate's stamps, the body as a stream), the
 * answer written with the headers the gate already set. A handler that throws (they map their own
 * errors) or a body that fails gets a bare 500, as Next.js would give.
 */
export function serveDirect(req: http.IncomingMessage, res: http.ServerResponse, handler: DirectHandler): void {
  let request: Request;
  try {
    request = toRequest(req);
  } catch (err) {
    fail(res, err);
    return;
  }
  Promise.resolve()
    .then(() => handler(request))
    .then(async (response) => {
      const body = Buffer.from(await response.arrayBuffer());
      response.headers.forEach((value, name) => {
        if (name !== 'content-length') res.setHeader(name, value);
      });
      res.setHeader('Content-Length', body.byteLength);
      // A refusal before the body was read (401, 403, 415): the web stream over the request has
      // stopped reading it, so Node would not drain it either and a reused connection would stall.
      if (!req.complete) res.setHeader('Connection', 'close');
      res.statusCode = response.status;
      res.end(body);
    })
    .catch((err: unknown) => fail(res, err));
}

/** The web Request of a Node request: its headers as Node parsed them (and the gate stamped), its body a stream. */
function toRequest(req: http.IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  // The gate has checked Host; no handler reads the URL's origin (a Host port past 65535 passes
  // the gate, and would not make a URL).
  return new Request(new URL(req.url ?? '/', 'http://localhost'), {
    method: req.method,
    headers,
    ...(hasBody && { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }),
  } as RequestInit);
}

function fail(res: http.ServerResponse, err: unknown): void {
  console.error('[pulseboard] request failed:', err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ error: 'internal error', issues: [] }));
}
