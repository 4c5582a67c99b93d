import 'server-only';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { bearerMatches, isAllowedHost, isSameOrigin, parseHost } from '@/lib/http';
import { directHandler, serveDirect } from './direct';

/** Request header carrying the TCP peer's address, set by the gate on every request. */
export const PEER_HEADER = 'x-pulseboard-peer';
/** Request header carrying this process's gate secret: proof that the gate saw the request. */
const GATE_HEADER = 'x-pulseboard-gate';
/** Request header carrying the CSP nonce of a page response (the root layout reads it). */
export const NONCE_HEADER = 'x-pulseboard-nonce';

/** What the gate needs of the configuration. */
export interface GatePolicy {
  /** ALLOWED_HOSTS: names besides IP literals and `localhost`. */
  allowedHosts: readonly string[];
  /** INGEST_TOKEN: a request carrying it is a program, not a page, and may come from anywhere. */
  token: string | undefined;
  /** `next dev` evaluates code on the fly and needs `'unsafe-eval'`. */
  dev: boolean;
  /**
   * Who the request is from and whether it may go on (lib/access): true to go on, false when it
   * answered the request itself, or a promise of either.
   */
  access?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;
}

/** A request the gate answers itself. */
export interface Refusal {
  status: 400 | 403;
  reason: 'target' | 'host' | 'cross_site';
  message: string;
}

/** Requests the gate refused, by reason, for `/api/metrics`. */
export interface GateStats {
  refused: Record<Refusal['reason'], number>;
  /** Requests the gate answered with a route's own function (`serveDirectly`). */
  direct: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides whether a request may reach Pulseboard at all.
 * - The target must be a path that decodes (no `*`, no absolute URL).
 * - `Host` must be an allowed name (DNS rebinding: a page on attacker.example whose name
 *   resolves to 127.0.0.1 sends `Host: attacker.example`).
 * - A browser request that changes something (POST, PUT, ...) must come from this server's own
 *   pages: a foreign `Origin`, or `Sec-Fetch-Site: cross-site|same-site`, is refused unless it
 *   carries the ingest token. Without this, any page the operator visits could write metrics
 *   (a `text/plain` POST needs no CORS preflight) from the operator's own loopback address.
 * - A foreign page's reads other than navigations (fetch, EventSource, img) are refused too:
 *   the browser would hide the answer, but the server would still do the work.
 */
export function checkRequest(method: string, target: string, headers: http.IncomingHttpHeaders, policy: GatePolicy): Refusal | null {
  const bad = targetProblem(target);
  if (bad) return { status: 400, reason: 'target', message: bad };
  const rawHost = headers.host ?? '';
  const host = parseHost(rawHost);
  if (!host) {
    return { status: 400, reason: 'host', message: `missing or malformed Host header ${clipHeader(rawHost)}` };
  }
  if (!isAllowedHost(host, policy.allowedHosts)) {
    return {
      status: 403,
      reason: 'host',
      message: `host ${clipHeader(host.name)} is not served here: add it to ALLOWED_HOSTS (accepted now: IP addresses, localhost${policy.allowedHosts.length > 0 ? `, ${policy.allowedHosts.join(', ')}` : ''})`,
    };
  }
  const site = headers['sec-fetch-site'];
  const foreignSite = site === 'cross-site' || site === 'same-site';
  const origin = headers.origin;
  // A form on Pulseboard's own page sends `Origin: null` (its Referrer-Policy is no-referrer); the
  // browser's Sec-Fetch-Site, which no page can set, says whether it is the same origin.
  const ownForm = origin === 'null' && site === 'same-origin';
  const foreignOrigin = origin !== undefined && !ownForm && !isSameOrigin(origin, host);
  if (!foreignSite && !foreignOrigin) return null;
  const navigation = headers['sec-fetch-mode'] === 'navigate';
  if (SAFE_METHODS.has(method) && (navigation || !foreignSite)) return null;
  if (policy.token !== undefined && bearerMatches(headers.authorization, policy.token)) return null;
  const from = foreignOrigin ? `a page of ${clipHeader(origin ?? '')}` : `a ${site} page`;
  return {
    status: 403,
    reason: 'cross_site',
    message: `cross-site request refused: ${method} from ${from}. Pulseboard's own pages, and programs without a browser's Origin, may call it; a program in a browser must send "Authorization: Bearer <INGEST_TOKEN>"`,
  };
}

/**
 * Why a request target is not one Pulseboard serves: only a path (origin form). `*` (OPTIONS *)
 * and absolute URLs (`GET http://elsewhere/ HTTP/1.1`, which Next.js would redirect to) are
 * refused, and so is a path whose percent-encoding does not decode (Next.js would answer 500), and
 * one not in its normal form (dot segments, backslashes), which Next.js would route elsewhere.
 */
function targetProblem(target: string): string | undefined {
  if (!target.startsWith('/') || target.startsWith('//')) return `request target ${clipHeader(target)} is not a path: send GET /path`;
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  try {
    decodeURIComponent(path);
  } catch {
    return `malformed percent-encoding in the path ${clipHeader(target)}`;
  }
  // `/_next/static/../../api/series` (or `%2e%2e`, or a backslash) is routed by Next.js as the
  // path it normalises to, while a check of the path as sent would see a public prefix: only a
  // path already in its normal form is served.
  if (new URL(path, 'http://localhost').pathname !== path) return `the path ${clipHeader(target)} has dot segments or backslashes: send it in its normal form`;
  return undefined;
}

/** The Content-Security-Policy of every response: scripts only with this response's nonce. */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // strict-dynamic: scripts Next.js loads from a nonced script are trusted, nothing inline else.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Recharts and React set style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response carries, whichever route (or Next.js itself) answers. */
function securityHeaders(nonce: string, dev: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce, dev),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Another origin's <img>/<script> cannot load Pulseboard's answers.
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function clipHeader(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

const KEY = Symbol.for('pulseboard.gate');
type Holder = { [KEY]?: { secret: string; stats: GateStats } };

/** The gate of this process (created once; route handlers and instrumentation share it). */
function gateState(): { secret: string; stats: GateStats } {
  const holder = globalThis as Holder;
  holder[KEY] ??= { secret: randomBytes(18).toString('base64url'), stats: { refused: { target: 0, host: 0, cross_site: 0 }, direct: 0 } };
  return holder[KEY];
}

/** Counts of refused requests. */
export function gateStats(): GateStats {
  return gateState().stats;
}

/**
 * The TCP peer address of a request the gate let through, or undefined for one it never saw (a
 * request that reached Next.js before the gate was installed at start-up): client-sent
 * `X-Pulseboard-Peer` headers are never believed.
 */
export function peerOf(headers: Headers): string | undefined {
  if (headers.get(GATE_HEADER) !== gateState().secret) return undefined;
  const peer = headers.get(PEER_HEADER) ?? '';
  // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d.
  return peer.toLowerCase().startsWith('::ffff:') && peer.includes('.') ? peer.slice(7) : peer;
}

/** Whether the gate saw this request (false only in the moments before it is installed). */
export function passedGate(headers: Headers): boolean {
  return headers.get(GATE_HEADER) === gateState().secret;
}

/**
 * Route handlers see headers, not sockets, and run after Next.js has parsed the request. So the
 * gate runs on the server's `request` event, before Next.js: it stamps the socket's address and
 * its secret into the request (overwriting anything the client sent), sets the security headers
 * with a fresh CSP nonce, and answers refused requests itself with a JSON error. A route made
 * direct (`serveDirectly`) it then answers itself too, outside `next dev` (which reloads route
 * code on every edit). Installed once.
 */
export function installRequestGate(policy: GatePolicy): void {
  const holder = globalThis as { __pulseboardGate?: boolean };
  if (holder.__pulseboardGate) return;
  holder.__pulseboardGate = true;
  const state = gateState();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const req = args[0] as http.IncomingMessage;
      const res = args[1] as http.ServerResponse;
      if (!admit(req, res, policy, state)) return true;
      const forward = () => {
        const direct = policy.dev ? undefined : directHandler(req);
        if (!direct) return Reflect.apply(emit, this, [event, ...args]) as boolean;
        state.stats.direct++;
        serveDirect(req, res, direct);
        return true;
      };
      const allowed = policy.access ? policy.access(req, res) : true;
      if (allowed === true) return forward();
      if (allowed !== false) {
        allowed.then(
          (ok) => ok && forward(),
          (err: unknown) => {
            console.error('[pulseboard] access check failed:', err);
            if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
            res.end(JSON.stringify({ error: 'internal error', issues: [] }));
          },
        );
      }
      return true;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}

function admit(req: http.IncomingMessage, res: http.ServerResponse, policy: GatePolicy, state: { secret: string; stats: GateStats }): boolean {
  const nonce = randomBytes(16).toString('base64');
  for (const [name, value] of Object.entries(securityHeaders(nonce, policy.dev))) res.setHeader(name, value);
  const refusal = checkRequest(req.method ?? 'GET', req.url ?? '', req.headers, policy);
  if (refusal) {
    state.stats.refused[refusal.reason]++;
    const body = JSON.stringify({ error: refusal.message, issues: [] });
    // The body, if any, stays unread: the connection is not reused.
    res.writeHead(refusal.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Connection: 'close' });
    res.end(body);
    return false;
  }
  Object.assign(req.headers, admittedHeaders(req.socket.remoteAddress ?? '', nonce, policy.dev));
  return true;
}

/**
 * The headers the gate stamps on a request it admits from `peer`: the address, this process's
 * secret (so `peerOf` believes it), and the response's CSP nonce, also in a request
 * `Content-Security-Policy`, where Next.js reads the nonce for its own scripts.
 */
export function admittedHeaders(peer: string, nonce: string, dev: boolean): Record<string, string> {
  return {
    [PEER_HEADER]: peer,
    [GATE_HEADER]: gateState().secret,
    [NONCE_HEADER]: nonce,
    'content-security-policy': contentSecurityPolicy(nonce, dev),
  };
}
