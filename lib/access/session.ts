import 'server-only';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { jwtVerify, SignJWT } from 'jose';

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
}

const ISSUER = 'pulseboard';

/** A signed session for `user` (HS256, jose), valid for `ttlMs`. */
export async function issueSession(secret: Uint8Array, user: string, version: string, ttlMs: number): Promise<{ token: string; claims: SessionClaims }> {
  const sid = randomBytes(16).toString('base64url');
  const expires = Date.now() + ttlMs;
  const token = await new SignJWT({ v: version })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(user)
    .setJti(sid)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expires / 1000))
    .sign(secret);
  return { token, claims: { user, sid, version, expires: Math.floor(expires / 1000) * 1000 } };
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
    if (claims.expires <= now || this.revoked.has(claims.sid)) {
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
      await this.ready();
      const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number' || typeof payload.v !== 'string') return null;
      const claims: SessionClaims = { user: payload.sub, sid: payload.jti, version: payload.v, expires: payload.exp * 1000 };
      if (this.revoked.has(claims.sid)) return null;
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

type RevokeListener = (revoked: ReadonlyArray<readonly [string, number]>, where: 'here' | 'elsewhere') => void;

/**
 * Sessions signed out before they expired, kept (to their expiry) in a small file beside the auth
 * file, so that a signed-out cookie stays refused across a restart. Bounded: at most `max`
 * entries, the soonest to expire dropped first past it (a session signed out that long ago has
 * most likely been thrown away by its browser).
 */
export class RevokedSessions {
  private readonly entries = new Map<string, number>();
  private readonly listeners = new Set<RevokeListener>();

  constructor(
    private readonly file: string | null,
    private readonly max = 100_000,
  ) {
    if (!file) return;
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (data && typeof data === 'object') {
        const now = Date.now();
        for (const [sid, expires] of Object.entries(data as Record<string, unknown>)) {
          if (typeof expires === 'number' && expires > now && isSessionId(sid)) this.entries.set(sid, expires);
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`[pulseboard] auth: cannot read ${file} (${(err as Error).message}); signed-out sessions from before are not known`);
    }
  }

  has(sid: string): boolean {
    return this.entries.has(sid);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The sessions revoked and not yet expired, with their expiry (ms). */
  list(): Array<[string, number]> {
    return [...this.entries];
  }

  /** Called with the sessions revoked: signed out on this instance ('here'), or learnt of from another ('elsewhere'). */
  onRevoke(listener: RevokeListener): void {
    this.listeners.add(listener);
  }

  /** Revokes a session signed out here until it would have expired, and writes the list (a failure is logged: the revocation holds in memory). */
  add(sid: string, expires: number): void {
    this.entries.set(sid, expires);
    this.trim();
    this.save();
    for (const listener of this.listeners) listener([[sid, expires]], 'here');
  }

  /** Sessions signed out on other instances (Redis mode); the new ones are kept and announced, once. */
  merge(revoked: Iterable<readonly [string, number]>): number {
    const now = Date.now();
    const fresh: Array<readonly [string, number]> = [];
    for (const entry of revoked) {
      const [sid, expires] = entry;
      if (this.entries.has(sid) || !isSessionId(sid) || !(expires > now)) continue;
      this.entries.set(sid, expires);
      fresh.push(entry);
    }
    if (fresh.length === 0) return 0;
    this.trim();
    this.save();
    for (const listener of this.listeners) listener(fresh, 'elsewhere');
    return fresh.length;
  }

  /** Drops the expired, then past `max` the soonest to expire. */
  private trim(): void {
    const now = Date.now();
    for (const [id, until] of this.entries) if (until <= now) this.entries.delete(id);
    if (this.entries.size > this.max) {
      console.warn(`[pulseboard] auth: more than ${this.max} signed-out sessions not yet expired; the soonest to expire are forgotten (a stolen cookie of theirs would work again until it expires)`);
      const sorted = [...this.entries].sort((a, b) => a[1] - b[1]);
      for (const [id] of sorted.slice(0, this.entries.size - this.max)) this.entries.delete(id);
    }
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch (err) {
      console.error(`[pulseboard] auth: cannot write ${this.file} (${(err as Error).message}); the sign-out holds until a restart`);
      fs.rmSync(tmp, { force: true });
    }
  }
}

/** A session id as issueSession makes them (16 random bytes, base64url); anything else read from outside is dropped. */
export function isSessionId(sid: string): boolean {
  return sid.length <= 64 && /^[\w-]+$/.test(sid);
}
