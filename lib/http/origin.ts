import { isIP } from 'node:net';

/** Longest `Host` header looked at: a DNS name is at most 253 characters, plus a port. */
const MAX_HOST_LENGTH = 260;

/** The name (lowercase, no trailing dot, IPv6 without brackets) and port of a `Host` value. */
export interface HostName {
  name: string;
  port: string | undefined;
}

/** Parses `name`, `name:port`, `[v6]` or `[v6]:port`; undefined when it is none of those. */
export function parseHost(raw: string): HostName | undefined {
  if (raw.length === 0 || raw.length > MAX_HOST_LENGTH) return undefined;
  let name: string;
  let port: string | undefined;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close === -1) return undefined;
    name = raw.slice(1, close);
    const rest = raw.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    port = rest === '' ? undefined : rest.slice(1);
    if (isIP(name) !== 6) return undefined;
  } else {
    const colon = raw.lastIndexOf(':');
    name = colon === -1 ? raw : raw.slice(0, colon);
    port = colon === -1 ? undefined : raw.slice(colon + 1);
    if (name.includes(':')) return undefined; // an IPv6 literal must be bracketed
  }
  // linear: one character class, anchored, at most 5 repetitions.
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined;
  name = name.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '') return undefined;
  return { name, port };
}

/**
 * Whether a request may address this server by `host`. IP literals and `localhost` always may:
 * DNS rebinding needs a name the attacker controls, and a literal is no such name. Other names
 * must be in `allowed` (`name`, `*.suffix` for names below it, or `*` for any).
 */
export function isAllowedHost(host: HostName, allowed: readonly string[]): boolean {
  if (isIP(host.name) !== 0 || host.name === 'localhost') return true;
  return allowed.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('*.')) return host.name.endsWith(pattern.slice(1)) && host.name.length > pattern.length - 1;
    return host.name === pattern;
  });
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Whether an `Origin` header names this server as the request addressed it (`Host`). The
 * scheme is not compared: behind a TLS-terminating proxy the server cannot see it, and a page of
 * another scheme on the same host and port is the same server.
 */
export function isSameOrigin(origin: string, host: HostName): boolean {
  if (origin.length > MAX_HOST_LENGTH + 16) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes `null`: a sandboxed frame, a file:// page, a redirect across origins
  }
  const fallback = DEFAULT_PORT[url.protocol];
  if (fallback === undefined) return false;
  const theirs = parseHost(url.host);
  if (!theirs) return false;
  return theirs.name === host.name && (theirs.port ?? fallback) === (host.port ?? fallback);
}
