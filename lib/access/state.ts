import 'server-only';
import path from 'node:path';
import { loadEnv, type Env } from '@/lib/env';
import { addressMatcher } from '@/lib/http';
import { AuthDirectory } from './auth-file';
import { FailureLimiter } from './limiter';
import { LiveCredentials } from './live';
import { SharedRevocations } from './shared';
import { RevokedSessions } from './revoked';
import { SessionVerifier } from './session';

/** Everything access control keeps for the process: the auth file, sessions, sign-in limits. */
export interface Access {
  readonly env: Env;
  readonly directory: AuthDirectory;
  readonly revoked: RevokedSessions;
  readonly sessions: SessionVerifier;
  /** Open streams by identity, ended when its access ends. */
  readonly live: LiveCredentials;
  /** Failed sign-ins by user name and by client address (LOGIN_MAX_FAILURES within LOGIN_LOCKOUT). */
  readonly userFailures: FailureLimiter;
  readonly addressFailures: FailureLimiter;
  /** With REDIS_URL: sign-outs shared with every instance. */
  readonly shared: SharedRevocations | null;
  /** Whether a peer address is one of TRUSTED_PROXIES. */
  trusted(address: string): boolean;
}

const KEY = Symbol.for('pulseboard.access');
// Signed-out sessions remembered until they expire, at most.
const REVOKED_MAX = 100_000;
type Holder = { [KEY]?: Access };

/** An address as compared: IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d. */
export function plainAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Where signed-out sessions are kept: in DATA_DIR, or beside the auth file without one. */
function revokedFile(env: Env): string | null {
  if (env.DATA_DIR !== 'none') return path.join(env.DATA_DIR, 'revoked-sessions.log');
  return env.AUTH_FILE ? `${env.AUTH_FILE}.revoked` : null;
}

function createAccess(env: Env): Access {
  const revoked = new RevokedSessions(revokedFile(env), REVOKED_MAX);
  const directory = new AuthDirectory(env.AUTH_FILE);
  const live = new LiveCredentials(() => directory.directory, revoked);
  // A user removed, a password changed: sessions verified before are checked again, open streams too.
  directory.onChange(() => {
    sessions.forget();
    live.check();
  });
  revoked.onRevoke(() => live.check());
  // Sessions are signed with the auth file's secret, valid on every instance given the same file;
  // sign-outs go through Redis to all of them.
  const shared =
    env.REDIS_URL && env.AUTH === 'password'
      ? new SharedRevocations(
          { url: env.REDIS_URL, key: `${env.REDIS_STREAM_KEY}:revoked-sessions`, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT, reconnectMaxMs: env.REDIS_RECONNECT_MAX, max: REVOKED_MAX },
          revoked,
        )
      : null;
  const sessions = new SessionVerifier(revoked, () => shared?.ready() ?? Promise.resolve());
  const trusted = addressMatcher(env.TRUSTED_PROXIES);
  return {
    env,
    directory,
    revoked,
    sessions,
    live,
    shared,
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
