import 'server-only';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { SeriesFilter } from '@/lib/series';
import { compileScope, ScopeError } from './scope';

/** What an identity may do: read (pages, APIs, the stream) and write (ingest). */
export const ROLES = ['read', 'write'] as const;
export type Role = (typeof ROLES)[number];

/** A user or token name: what logs and `list` show. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const roles = z.array(z.enum(ROLES)).min(1).max(2);
const scope = z.string().max(4096).nullable().default(null);

/**
 * `AUTH_FILE`, as `npm run pulseboard -- …` (lib/cli/pulseboard.mjs) writes it. Passwords are
 * scrypt hashes, tokens SHA-256 digests (a token is 256 random bits: no slow hash needed); the
 * secret signs session cookies, so every instance given the same file accepts the same sessions.
 */
export const authFileSchema = z.object({
  version: z.literal(1),
  secret: z.string().min(43, 'at least 32 bytes, base64url').max(512),
  users: z.record(
    z.string().regex(NAME_PATTERN),
    z.object({ password: z.string().startsWith('$scrypt$').max(512), roles: roles.default(['read']), scope, created: z.string().max(64).optional() }),
  ),
  tokens: z.record(
    z.string().regex(NAME_PATTERN),
    z.object({ hash: z.string().regex(/^sha256:[0-9a-f]{64}$/), roles, scope, created: z.string().max(64).optional() }),
  ),
});
export type AuthFile = z.infer<typeof authFileSchema>;

/** A user or token as requests are checked against it: roles, and the scope compiled (null: every series). */
export interface Principal {
  name: string;
  roles: readonly Role[];
  scope: string | null;
  filter: SeriesFilter | null;
}

export interface UserEntry extends Principal {
  password: string;
  /** Changes when the password does: a session issued before a password change is refused. */
  version: string;
}

/** The users and tokens of an auth file, ready for lookups. */
export interface Directory {
  secret: Uint8Array | null;
  users: ReadonlyMap<string, UserEntry>;
  /** By `sha256:<hex>` of the token. */
  tokens: ReadonlyMap<string, Principal>;
  /** Entries left out, and why (a scope that does not parse): refused, never let in unscoped. */
  problems: string[];
}

export const EMPTY_DIRECTORY: Directory = { secret: null, users: new Map(), tokens: new Map(), problems: [] };

export class AuthFileError extends Error {
  override readonly name = 'AuthFileError';
}

/**
 * The user a trusted proxy's header names: listed names are matched whatever their case (`Alice`
 * must not escape alice's scope), the exact name first.
 */
export function listedUser(directory: Directory, name: string): UserEntry | undefined {
  const lower = name.toLowerCase();
  return directory.users.get(name) ?? [...directory.users.values()].find((u) => u.name.toLowerCase() === lower);
}

/** `sha256:<hex>` of a token, as the auth file keeps it. */
export function tokenDigest(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex')}`;
}

function principal(name: string, entry: { roles: Role[]; scope: string | null }, what: string, problems: string[]): Principal | null {
  if (entry.scope === null) return { name, roles: entry.roles, scope: null, filter: null };
  try {
    return { name, roles: entry.roles, scope: entry.scope, filter: compileScope(entry.scope) };
  } catch (err) {
    if (!(err instanceof ScopeError)) throw err;
    problems.push(`${what} ${JSON.stringify(name)} left out: its scope ${err.message}`);
    return null;
  }
}

/** The directory of a parsed auth file. */
export function toDirectory(file: AuthFile): Directory {
  const problems: string[] = [];
  const users = new Map<string, UserEntry>();
  for (const [name, entry] of Object.entries(file.users)) {
    const p = principal(name, entry, 'user', problems);
    if (p) users.set(name, { ...p, password: entry.password, version: createHash('sha256').update(entry.password).digest('base64url').slice(0, 12) });
  }
  const tokens = new Map<string, Principal>();
  for (const [name, entry] of Object.entries(file.tokens)) {
    const p = principal(name, entry, 'token', problems);
    if (p) tokens.set(entry.hash, p);
  }
  return { secret: Buffer.from(file.secret, 'base64url'), users, tokens, problems };
}

// An auth file holds a few users and tokens; one this large did not come from the CLI.
const MAX_FILE_BYTES = 4 * 1024 ** 2;

/** Reads and checks an auth file; a missing file is an empty directory. Throws AuthFileError naming what is wrong. */
export function readDirectory(file: string): Directory {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_FILE_BYTES) throw new AuthFileError(`${file} is ${stat.size} bytes; an auth file is at most ${MAX_FILE_BYTES}`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_DIRECTORY;
    if (err instanceof AuthFileError) throw err;
    throw new AuthFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AuthFileError(`${file} is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const parsed = authFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new AuthFileError(`${file} is not an auth file Pulseboard reads (${first.join('; ')}); write it with npm run pulseboard -- user add NAME`);
  }
  return toDirectory(parsed.data);
}

/** What identifies a version of the file on disk: a change of any of these is a reload. */
function fingerprint(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * The auth file, read at start and again whenever it changes (checked every `everyMs`): users
 * and tokens added or removed by the CLI apply without a restart. A file that becomes unreadable
 * or invalid keeps the last good directory, and says so once per change.
 */
export class AuthDirectory {
  private current: Directory;
  private seen: string;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private listeners = new Set<() => void>();

  constructor(
    readonly file: string | null,
    everyMs = 1_000,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.seen = file ? fingerprint(file) : 'missing';
    this.current = file ? readDirectory(file) : EMPTY_DIRECTORY;
    for (const p of this.current.problems) this.log(`[pulseboard] auth: ${p}`);
    if (file) {
      this.timer = setInterval(() => this.check(), everyMs);
      this.timer.unref();
    }
  }

  get directory(): Directory {
    return this.current;
  }

  /** Called after every reload that changed the directory. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the file again if it changed. */
  check(): void {
    if (!this.file) return;
    const now = fingerprint(this.file);
    if (now === this.seen) return;
    this.seen = now;
    try {
      this.current = readDirectory(this.file);
      for (const p of this.current.problems) this.log(`[pulseboard] auth: ${p}`);
      console.log(`[pulseboard] auth: ${this.file} reloaded: ${this.current.users.size} user(s), ${this.current.tokens.size} token(s)`);
      for (const listener of this.listeners) listener();
    } catch (err) {
      this.log(`[pulseboard] auth: ${(err as Error).message}; keeping the users and tokens read before`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }
}
