import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { HttpError } from '@/lib/http';
import { PEER_HEADER } from '@/lib/runtime';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compiles `INGEST_ALLOW_FROM` into a matcher of peer addresses. */
export function allowList(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr = '', prefix] = cidr.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return (address) => {
    // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4) return list.check(v4, 'ipv4');
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * With a token configured, requires `Authorization: Bearer <token>` (compared in constant time).
 * Without one, accepts only peers in the allow list (loopback by default). The peer address is the
 * socket's, stamped by Pulseboard on every request; addresses in X-Forwarded-For / X-Real-IP must
 * be allowed as well, so a local reverse proxy does not open ingest to the network.
 */
export function authorize(headers: Headers, token: string | undefined, allowed: (address: string) => boolean, allowFrom: readonly string[]): void {
  if (token !== undefined) {
    const given = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1]?.trim();
    if (given === undefined) {
      throw new HttpError(401, 'missing bearer token: send "Authorization: Bearer <INGEST_TOKEN>"', [], { 'WWW-Authenticate': 'Bearer' });
    }
    if (!timingSafeEqual(digest(given), digest(token))) {
      throw new HttpError(401, 'bearer token does not match INGEST_TOKEN', [], { 'WWW-Authenticate': 'Bearer' });
    }
    return;
  }
  // A proxy on an allowed address relays requests from anywhere: the addresses it says it
  // forwards for must be allowed too. (A client can only make this stricter by adding some.)
  const forwarded = [headers.get('x-forwarded-for'), headers.get('x-real-ip')]
    .flatMap((h) => (h ? h.split(',') : []))
    .map((a) => a.trim())
    .filter(Boolean);
  const peer = headers.get(PEER_HEADER) ?? '';
  const refused = [peer, ...forwarded].find((address) => !allowed(address));
  if (refused !== undefined) {
    const from = refused === peer ? (peer || 'an unknown address') : `${refused} (forwarded by ${peer})`;
    throw new HttpError(
      403,
      `ingest without INGEST_TOKEN is accepted only from ${allowFrom.join(', ')} (INGEST_ALLOW_FROM); this request came from ${from}. Set INGEST_TOKEN to accept remote producers.`,
    );
  }
}
