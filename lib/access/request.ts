import 'server-only';
import { passedGate } from '@/lib/runtime';
import type { SeriesFilter } from '@/lib/series';
import { CLIENT_HEADER, decodeIdentity, HTTPS_HEADER, IDENTITY_HEADER, NOBODY, type Identity } from './identity';
import { compileScope } from './scope';

/**
 * The identity the request gate stamped on a request, or NOBODY for one it did not see (the first
 * moments of start-up) or stamped none: a client-sent header is never believed without the gate's secret.
 */
export function identityOf(headers: Headers): Identity {
  if (!passedGate(headers)) return NOBODY;
  return decodeIdentity(headers.get(IDENTITY_HEADER)) ?? NOBODY;
}

// Compiled scopes by text: a handful of users and tokens, each compiled once.
const SCOPES_MAX = 1_000;
const compiled = new Map<string, SeriesFilter>();

// What an identity without the read role sees: nothing (a public page's request, a write token).
const NOTHING: SeriesFilter = { id: 'scope:nothing', cost: 0, matches: () => false };

/**
 * What an identity may see (or with `for: 'write'`, write), as a series filter; null: every
 * series. Without the read role it sees nothing.
 */
export function scopeOf(identity: Identity, purpose: 'read' | 'write' = 'read'): SeriesFilter | null {
  if (purpose === 'read' && !identity.roles.includes('read')) return NOTHING;
  if (identity.scope === null) return null;
  let filter = compiled.get(identity.scope);
  if (!filter) {
    // The gate only stamps scopes the auth file's check compiled, so this does not throw.
    filter = compileScope(identity.scope);
    if (compiled.size >= SCOPES_MAX) compiled.clear();
    compiled.set(identity.scope, filter);
  }
  return filter;
}

/** The client's address as the gate established it ('' for a request it did not see). */
export function clientAddressOf(headers: Headers): string {
  return passedGate(headers) ? (headers.get(CLIENT_HEADER) ?? '') : '';
}

/** Whether the request came over HTTPS (its socket, or a trusted proxy's X-Forwarded-Proto). */
export function cameOverHttps(headers: Headers): boolean {
  return passedGate(headers) && headers.get(HTTPS_HEADER) === '1';
}
