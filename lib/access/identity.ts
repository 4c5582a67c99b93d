import type { Role } from './auth-file';

/**
 * Who a request comes from, as the request gate established it: nobody in particular (AUTH=none,
 * or a public page), a signed-in user, a token, or a user a trusted proxy named.
 */
export interface Identity {
  kind: 'anonymous' | 'user' | 'token' | 'proxy';
  name: string;
  roles: readonly Role[];
  /** Label matchers limiting what it sees and writes (lib/access/scope.ts); null: every series. */
  scope: string | null;
  /** A signed-in user's session id and expiry (ms), for signing out. */
  sid?: string;
  expires?: number;
  /** When that session was issued (ms): a user's cut-off refuses sessions issued before it. */
  issued?: number;
  /**
   * What the access was granted on, to tell when it ends (lib/access/live.ts): a user's password
   * version, a file token's digest (none for INGEST_TOKEN). Never sent to a client.
   */
  credential?: string;
}

/** AUTH=none: anyone who reaches the port reads everything (writes are judged by ingest's own rules). */
export const ANONYMOUS: Identity = { kind: 'anonymous', name: '', roles: ['read'], scope: null };

/** Nobody: a public page's request under AUTH=password|proxy (sign-in page, static files). */
export const NOBODY: Identity = { kind: 'anonymous', name: '', roles: [], scope: null };

/** Request header carrying the identity the gate established (with its secret beside it). */
export const IDENTITY_HEADER = 'x-pulseboard-identity';

/** Request header carrying the client's address (behind TRUSTED_PROXIES, the one they forward for). */
export const CLIENT_HEADER = 'x-pulseboard-client';
/** Request header saying whether the request came over HTTPS ('1'), for the session cookie's Secure flag. */
export const HTTPS_HEADER = 'x-pulseboard-https';

/** An identity as the gate stamps it into a request header (base64url JSON: names and scopes may be any text). */
export function encodeIdentity(identity: Identity): string {
  return Buffer.from(JSON.stringify(identity)).toString('base64url');
}

/** The identity of a stamped header, or null when it is missing or malformed. */
export function decodeIdentity(value: string | null | undefined): Identity | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Identity;
    if (typeof parsed.kind !== 'string' || typeof parsed.name !== 'string' || !Array.isArray(parsed.roles)) return null;
    return parsed;
  } catch {
    return null;
  }
}
