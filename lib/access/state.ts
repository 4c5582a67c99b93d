import 'server-only';
import path from 'node:path';
import { loadEnv, type Env } from '@/lib/env';
import { addressMatcher } from '@/lib/http';
import { AuthDirectory } from './auth-file';
import { FailureLimiter } from './limiter';
import { RevokedSessions, SessionVerifier } from './session';

/** Everything access control keeps for the process: the auth file, sessions, sign-in limits. */
export interface Access {
  readonly env: Env;
  readonly directory: AuthDirectory;
  readonly revoked: RevokedSessions;
  readonly sessions: SessionVerifier;
  /** Failed sign-ins by user name and by client address (LOGIN_MAX_FAILURES within LOGIN_LOCKOUT). */
  readonly userFailures: FailureLimiter;
  readonly addressFailures: FailureLimiter;
  /** Whether a peer address is one of TRUSTED_PROXIES. */
  trusted(address: string): boolean;
}

const KEY = Symbol.for('pulseboard.access');
type Holder = { [KEY]?: Access };

/** An address as compared: IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d. */
export function plainAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Where signed-out sessions are kept: in DATA_DIR, or beside the auth file without one. */
function revokedFile(env: Env): string | null {
  if (env.DATA_DIR !== 'none') return path.join(env.DATA_DIR, 'revoked-sessions.json');
  return env.AUTH_FILE ? `${env.AUTH_FILE}.revoked` : null;
}

function createAccess(env: Env): Access {
  const revoked = new RevokedSessions(revokedFile(env));
  const sessions = new SessionVerifier(revoked);
  const directory = new AuthDirectory(env.AUTH_FILE);
  // A user removed, a password changed: sessions verified before are checked again.
  directory.onChange(() => sessions.forget());
  const trusted = addressMatcher(env.TRUSTED_PROXIES);
  return {
    env,
    directory,
    revoked,
    sessions,
    userFailures: new FailureLimiter(env.LOGIN_MAX_FAILURES, env.LOGIN_LOCKOUT),
    addressFailures: new FailureLimiter(env.LOGIN_MAX_FAILURES, env.LOGIN_LOCKOUT),
    trusted,
  };
}

/** The access state of this process (created once; the gate and route handlers share it). */
export function getAccess(): Access {
  const holder = globalThis as Holder;
  holder[KEY] ??= createAccess(loadEnv());
  return holder[KEY];
}
