import fs from 'node:fs';

/** A session signed out before it expired: refused until then. */
export interface Revocation {
  sid: string;
  user: string;
  /** When the session was issued and when it expires, ms since the epoch. */
  issued: number;
  expires: number;
}

/** What a session is checked by: its id, and its user and issue time (for a user's cut-off). */
export interface SessionRef {
  sid: string;
  user: string;
  issued: number;
}

/** Sign-outs and cut-offs learnt or made: `here` (signed out on this instance), or from another instance. */
export type RevokeListener = (change: { revoked: readonly Revocation[]; cutoffs: ReadonlyArray<readonly [string, number]> }, where: 'here' | 'elsewhere') => void;

/** A session id as issueSession makes them (16 random bytes, base64url); anything else read from outside is dropped. */
export function isSessionId(sid: string): boolean {
  return sid.length <= 64 && /^[\w-]+$/.test(sid);
}

const USER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
// Expired entries are looked for at most this often.
const SWEEP_MS = 60_000;

/** `r <sid> <expires> <issued> <user>` / `c <user> <time>`: the log's lines, and the messages instances share. */
export function encodeRevocation(r: Revocation): string {
  return `r ${r.sid} ${r.expires} ${r.issued} ${r.user}`;
}
export function encodeCutoff(user: string, time: number): string {
  return `c ${user} ${time}`;
}

/** A line of the log or a shared message, checked; null for anything malformed. */
export function decodeLine(line: string): { revocation: Revocation } | { cutoff: readonly [string, number] } | null {
  if (line.length > 200) return null;
  const parts = line.split(' ');
  if (parts[0] === 'r' && parts.length === 5) {
    const [, sid, expires, issued, user] = parts as [string, string, string, string, string];
    const r = { sid, expires: Number(expires), issued: Number(issued), user };
    return isSessionId(sid) && USER_PATTERN.test(user) && Number.isSafeInteger(r.expires) && Number.isSafeInteger(r.issued) ? { revocation: r } : null;
  }
  if (parts[0] === 'c' && parts.length === 3) {
    const [, user, time] = parts as [string, string, string];
    return USER_PATTERN.test(user) && Number.isSafeInteger(Number(time)) ? { cutoff: [user, Number(time)] } : null;
  }
  return null;
}

/**
 * Sessions signed out before they expired, kept to their expiry in an append-only log beside the
 * auth file (compacted now and then), so that a signed-out cookie stays refused across restarts.
 * Bounded: past `max` entries the oldest signed out is dropped and replaced by a cut-off for its
 * user (every session of that user issued up to then is refused): a flood of sign-outs can sign
 * people out, never let a signed-out cookie back in.
 */
export class RevokedSessions {
  private readonly entries = new Map<string, Revocation>();
  private readonly cutoffs = new Map<string, number>();
  private readonly listeners = new Set<RevokeListener>();
  private lines = 0;
  private sweptAt = 0;
  private warned = false;

  constructor(
    private readonly file: string | null,
    private readonly max = 100_000,
  ) {
    if (!file) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`[pulseboard] auth: cannot read ${file} (${(err as Error).message}); signed-out sessions from before are not known`);
      return;
    }
    const now = Date.now();
    for (const line of text.split('\n')) {
      const read = decodeLine(line);
      if (!read) continue;
      if ('revocation' in read) {
        if (read.revocation.expires > now) this.entries.set(read.revocation.sid, read.revocation);
      } else this.cutoffs.set(read.cutoff[0], Math.max(this.cutoffs.get(read.cutoff[0]) ?? 0, read.cutoff[1]));
    }
    this.evict([]);
    this.compact();
  }

  /** Whether a session is refused: signed out, or issued before its user's cut-off. */
  refuses(session: SessionRef): boolean {
    if (this.entries.has(session.sid)) return true;
    const cutoff = this.cutoffs.get(session.user);
    return cutoff !== undefined && session.issued <= cutoff;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Sign-outs not yet expired, oldest first. */
  list(): Revocation[] {
    return [...this.entries.values()];
  }

  /** Users' cut-offs. */
  cutoffList(): Array<[string, number]> {
    return [...this.cutoffs];
  }

  onRevoke(listener: RevokeListener): void {
    this.listeners.add(listener);
  }

  /** Revokes a session signed out here (a failure to write is logged: the revocation holds in memory). */
  add(revocation: Revocation): void {
    this.merge([revocation], [], 'here');
  }

  /**
   * Takes sign-outs and cut-offs (from another instance, or made here): the new ones are kept,
   * written and announced once; answers how many were new.
   */
  merge(revoked: Iterable<Revocation>, cutoffs: Iterable<readonly [string, number]> = [], where: 'here' | 'elsewhere' = 'elsewhere'): number {
    const now = Date.now();
    const fresh: Revocation[] = [];
    const cut: Array<readonly [string, number]> = [];
    for (const r of revoked) {
      if (this.entries.has(r.sid) || !isSessionId(r.sid) || !USER_PATTERN.test(r.user) || !(r.expires > now)) continue;
      this.entries.set(r.sid, r);
      fresh.push(r);
    }
    for (const [user, time] of cutoffs) {
      if (!USER_PATTERN.test(user) || !Number.isSafeInteger(time) || (this.cutoffs.get(user) ?? -1) >= time) continue;
      this.cutoffs.set(user, time);
      cut.push([user, time]);
    }
    if (fresh.length + cut.length === 0) return 0;
    this.evict(cut);
    this.append([...fresh.map(encodeRevocation), ...cut.map(([u, t]) => encodeCutoff(u, t))]);
    for (const listener of this.listeners) listener({ revoked: fresh, cutoffs: cut }, where);
    return fresh.length + cut.length;
  }

  /** Drops the expired (now and then), then past `max` the oldest signed out, cutting their users off. */
  private evict(cut: Array<readonly [string, number]>): void {
    const now = Date.now();
    if (now - this.sweptAt > SWEEP_MS) {
      this.sweptAt = now;
      for (const [sid, r] of this.entries) if (r.expires <= now) this.entries.delete(sid);
    }
    for (const [sid, r] of this.entries) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(sid);
      if ((this.cutoffs.get(r.user) ?? -1) < r.issued) {
        this.cutoffs.set(r.user, r.issued);
        cut.push([r.user, r.issued]);
      }
      if (!this.warned) {
        this.warned = true;
        console.warn(`[pulseboard] auth: more than ${this.max} signed-out sessions not yet expired; the oldest are replaced by a cut-off for their user (their other sessions from before are refused too: they sign in again)`);
      }
    }
  }

  private append(lines: string[]): void {
    if (!this.file || lines.length === 0) return;
    try {
      fs.appendFileSync(this.file, `${lines.join('\n')}\n`, { mode: 0o600 });
      this.lines += lines.length;
    } catch (err) {
      console.error(`[pulseboard] auth: cannot write ${this.file} (${(err as Error).message}); the sign-out holds until a restart`);
    }
    // Rewritten once it holds as many lines again as live entries (plus some): amortised O(1) a sign-out.
    if (this.lines > 2 * (this.entries.size + this.cutoffs.size) + 1_000) this.compact();
  }

  /** Writes the live entries alone (atomically, by rename). */
  private compact(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    const lines = [...[...this.entries.values()].map(encodeRevocation), ...[...this.cutoffs].map(([u, t]) => encodeCutoff(u, t))];
    try {
      fs.writeFileSync(tmp, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
      fs.renameSync(tmp, this.file);
      this.lines = lines.length;
    } catch (err) {
      console.error(`[pulseboard] auth: cannot write ${this.file} (${(err as Error).message}); signed-out sessions are kept in memory`);
      fs.rmSync(tmp, { force: true });
    }
  }
}
