import 'server-only';
import { listedUser, type Directory } from './auth-file';
import type { Identity } from './identity';
import type { RevokedSessions } from './revoked';

/** How often open streams are checked for sessions that expired meanwhile. */
const SWEEP_MS = 5_000;

/** Whether an identity still has the same access as when the gate stamped it (ms clock `now`). */
export function stillValid(identity: Identity, directory: Directory, revoked: Pick<RevokedSessions, 'refuses'>, now: number): boolean {
  const same = (p: { roles: readonly string[]; scope: string | null }) =>
    p.scope === identity.scope && p.roles.length === identity.roles.length && p.roles.every((r) => identity.roles.includes(r as never));
  switch (identity.kind) {
    case 'anonymous':
      return true;
    case 'user': {
      if (!identity.sid || (identity.expires ?? 0) <= now || revoked.refuses({ sid: identity.sid, user: identity.name, issued: identity.issued ?? 0 })) return false;
      const user = directory.users.get(identity.name);
      return !!user && user.version === identity.credential && same(user);
    }
    case 'token': {
      // INGEST_TOKEN comes from the environment: it cannot change while the process runs.
      if (identity.credential === undefined) return true;
      const token = directory.tokens.get(identity.credential);
      return !!token && token.name === identity.name && same(token);
    }
    case 'proxy': {
      const listed = listedUser(directory, identity.name);
      return same({ roles: listed?.roles ?? ['read'], scope: listed?.scope ?? null });
    }
  }
}

/**
 * Open streams, each with the identity it was opened for: when that identity's access ends or
 * changes (signed out here or on another instance, session expired, user or token removed, role
 * or scope changed in AUTH_FILE), its stream is ended. The browser then reconnects, gets 401, and
 * goes to sign in; a program sees the stream end and its next request refused.
 */
export class LiveCredentials {
  private readonly open = new Map<AbortController, Identity>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly directory: () => Directory,
    private readonly revoked: Pick<RevokedSessions, 'refuses'>,
  ) {}

  /** Streams watched right now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * A signal that aborts when `signal` does or when `identity`'s access ends (`identity` with
   * nothing to end, AUTH=none, gets `signal` back), and `release` for a stream that did not open.
   */
  watch(identity: Identity, signal: AbortSignal): { signal: AbortSignal; release: () => void } {
    if (identity.kind === 'anonymous' || signal.aborted) return { signal, release: () => undefined };
    const controller = new AbortController();
    // Ended between the gate and here (a sign-out while the stream waited to open): never opened.
    if (!stillValid(identity, this.directory(), this.revoked, Date.now())) {
      controller.abort(new Error('credentials ended'));
      return { signal: controller.signal, release: () => undefined };
    }
    const forget = () => {
      this.open.delete(controller);
      if (this.open.size === 0) this.stopSweeping();
    };
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    controller.signal.addEventListener('abort', forget, { once: true });
    this.open.set(controller, identity);
    this.timer ??= setInterval(() => this.check(), SWEEP_MS);
    this.timer.unref?.();
    return { signal: controller.signal, release: () => controller.abort() };
  }

  /** Ends the streams whose identity no longer holds. Called on every auth change and revocation. */
  check(now = Date.now()): number {
    const directory = this.directory();
    let ended = 0;
    for (const [controller, identity] of this.open) {
      if (stillValid(identity, directory, this.revoked, now)) continue;
      ended++;
      controller.abort(new Error('credentials ended'));
    }
    if (ended > 0) console.log(`[pulseboard] access: ended ${ended} open stream(s) whose sign-in or token ended or changed`);
    return ended;
  }

  private stopSweeping(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
