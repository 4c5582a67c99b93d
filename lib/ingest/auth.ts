import 'server-only';
import { bearerMatches, bearerToken, HttpError } from '@/lib/http';
import { peerOf } from '@/lib/runtime';

// Header values are bounded by Node's 16 KiB header limit; a list longer than this is refused.
const MAX_FORWARDED_HOPS = 32;

/**
 * The addresses a proxy says it forwards for: every `X-Forwarded-For` and `X-Real-IP` entry and
 * every `for=` of `Forwarded` (RFC 7239), unquoted, without brackets or port. An obfuscated or
 * `unknown` node is kept as it is, so it is not an allowed address and the request is refused.
 */
export function forwardedAddresses(headers: Headers): string[] {
  const out: string[] = [];
  for (const name of ['x-forwarded-for', 'x-real-ip']) {
    for (const entry of (headers.get(name) ?? '').split(',')) {
      const address = entry.trim();
      if (address) out.push(address);
    }
  }
  for (const element of (headers.get('forwarded') ?? '').split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      out.push(forwardedNode(pair.slice(eq + 1).trim()));
    }
  }
  return out.length > MAX_FORWARDED_HOPS ? [...out.slice(0, MAX_FORWARDED_HOPS), 'more than 32 forwarded addresses'] : out;
}

/** `"[2001:db8::1]:4711"` → `2001:db8::1`, `192.0.2.1:80` → `192.0.2.1`, anything else as it is. */
function forwardedNode(raw: string): string {
  const node = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  if (node.startsWith('[')) {
    const close = node.indexOf(']');
    return close === -1 ? node : node.slice(1, close);
  }
  const colon = node.indexOf(':');
  return colon !== -1 && node.indexOf(':', colon + 1) === -1 ? node.slice(0, colon) : node;
}

/**
 * With a token configured, requires `Authorization: Bearer <token>` (compared in constant time).
 * Without one, accepts only peers in the allow list (loopback by default). The peer address is the
 * socket's, stamped by Pulseboard's request gate; addresses in X-Forwarded-For, X-Real-IP and
 * Forwarded must be allowed as well, so a local reverse proxy does not open ingest to the network.
 */
export function authorize(headers: Headers, token: string | undefined, allowed: (address: string) => boolean, allowFrom: readonly string[]): void {
  if (token !== undefined) {
    if (bearerToken(headers.get('authorization')) === undefined) {
      throw new HttpError(401, 'missing bearer token: send "Authorization: Bearer <INGEST_TOKEN>"', [], { 'WWW-Authenticate': 'Bearer' });
    }
    if (!bearerMatches(headers.get('authorization'), token)) {
      throw new HttpError(401, 'bearer token does not match INGEST_TOKEN', [], { 'WWW-Authenticate': 'Bearer' });
    }
    return;
  }
  const peer = peerOf(headers);
  if (peer === undefined) {
    throw new HttpError(503, 'starting up: retry in a moment', [], { 'Retry-After': '1' });
  }
  // A proxy on an allowed address relays requests from anywhere: the addresses it says it
  // forwards for must be allowed too. (A client can only make this stricter by adding some.)
  const refused = [peer, ...forwardedAddresses(headers)].find((address) => !allowed(address));
  if (refused !== undefined) {
    const from = refused === peer ? (peer || 'an unknown address') : `${clipAddress(refused)} (forwarded by ${peer})`;
    throw new HttpError(
      403,
      `ingest without INGEST_TOKEN is accepted only from ${allowFrom.join(', ')} (INGEST_ALLOW_FROM); this request came from ${from}. Set INGEST_TOKEN to accept remote producers.`,
    );
  }
}

const clipAddress = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);
