import 'server-only';
import http from 'node:http';

/** Request header carrying the TCP peer's address, set by Pulseboard on every request. */
export const PEER_HEADER = 'x-pulseboard-peer';

/**
 * Route handlers see headers, not sockets, and X-Forwarded-For is whatever the client sent.
 * So every incoming request gets the socket's address stamped into PEER_HEADER, overwriting
 * any client-sent value, before Next.js handles it. Installed once per process.
 */
export function stampPeerAddresses(): void {
  const holder = globalThis as { __pulseboardPeerStamp?: boolean };
  if (holder.__pulseboardPeerStamp) return;
  holder.__pulseboardPeerStamp = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
