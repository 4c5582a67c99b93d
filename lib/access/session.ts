import 'server-only';
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { RevokedSessions } from './revoked';

/** The session cookie's name. */
export const SESSION_COOKIE = 'pulseboard_session';

/** What a session cookie says, once its signature and expiry are checked. */
export interface SessionClaims {
  user: string;
  /** This session's id: what signing out revokes. */
  sid: string;
  /** The user's password version when it was issued: a changed password ends older sessions. */
  version: string;
  /** Expiry, ms since the epoch. */
  expires: number;
  /** When it was issued, ms since the epoch (whole seconds). */
  issued: number;
}

const ISSUER = 'pulseboard';

/** A signed session for `user` (HS256, jose), valid for `ttlMs`. */
export async function issueSession(secret: Uint8Array, user: string, version: string, ttlMs: number): Promise<{ token: string; claims: SessionClaims }> {
  const sid = randomBytes(16).toString('base64url');
  const now = Date.now();
  const expires = now + ttlMs;
  const token = await new SignJWT({ v: version })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(user)
    .setJti(sid)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(expires / 1000))
    .sign(secret);
  return { token, claims: { user, sid, version, expires: Math.floor(expires / 1000) * 1000, issued: Math.floor(now / 1000) * 1000 } };
}

// A cookie longer than this did not come from Pulseboard.
const TOKEN_MAX_LENGTH = 1024;
// Verified cookies remembered, so that most requests do not wait on WebCrypto.
const VERIFIED_MAX = 10_000;

/**
 * Checks session cookies: signature (with the auth file's secret), expiry, and that the session
 * was not signed out. Verified cookies are remembered (until they expire or are revoked), so a
 * request of a known session is checked without waiting.
 */
export class SessionVerifier {
  private readonly verified = new Map<string, SessionClaims>();

  /**
   * `ready`: what a first verification waits for (bounded by its caller), such as the sign-outs of
   * other instances being loaded from Redis, so that a fresh instance does not take a cookie
   * signed out elsewhere.
   */
  constructor(
    private readonly revoked: RevokedSessions,
    private readonly ready: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** The claims of a cookie already verified (and still valid), without waiting; undefined if not known yet. */
  known(token: string, now = Date.now()): SessionClaims | null | undefined {
    const claims = this.verified.get(token);
    if (!claims) return undefined;
    if (claims.expires <= now || this.revoked.refuses(claims)) {
      this.verified.delete(token);
      return null;
    }
    return claims;
  }

  /** Verifies a cookie: its claims, or null when it is not a valid, current session. */
  async verify(secret: Uint8Array | null, token: string): Promise<SessionClaims | null> {
    const known = this.known(token);
    if (known !== undefined) return known;
    if (!secret || token.length > TOKEN_MAX_LENGTH) return null;
    try {
      const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number' || typeof payload.v !== 'string' || typeof payload.iat !== 'number') return null;
      const claims: SessionClaims = { user: payload.sub, sid: payload.jti, version: payload.v, expires: payload.exp * 1000, issued: payload.iat * 1000 };
      // Only a genuine cookie waits for the sign-outs of other instances (see the constructor).
      await this.ready();
      if (this.revoked.refuses(claims)) return null;
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(token, claims);
      return claims;
    } catch {
      return null;
    }
  }

  /** Forgets every verified cookie (the secret or the users changed). */
  forget(): void {
    this.verified.clear();
  }
}

export { isSessionId, RevokedSessions, type Revocation } from './revoked';
