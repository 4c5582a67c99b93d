import 'server-only';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes are `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64url), as
 * lib/cli/pulseboard.mjs writes them: N = 2^15, r = 8, p = 1, a 16-byte salt and a 32-byte hash
 * (about 32 MiB and 60 ms a check here). Parameters are read from the hash, within bounds, so a
 * stronger setting later still reads older hashes.
 */
const LIMITS = { ln: [14, 20], r: [1, 32], p: [1, 16] } as const;

/** Longest password checked: a longer one is refused without hashing it. */
export const PASSWORD_MAX_LENGTH = 1024;

interface Parsed {
  options: ScryptOptions;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(encoded: string): Parsed | null {
  const parts = encoded.split('$');
  if (parts.length !== 5 || parts[1] !== 'scrypt') return null;
  const params = Object.fromEntries((parts[2] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const ln = Number(params.ln);
  const r = Number(params.r);
  const p = Number(params.p);
  const within = (n: number, [lo, hi]: readonly [number, number]) => Number.isInteger(n) && n >= lo && n <= hi;
  if (!within(ln, LIMITS.ln) || !within(r, LIMITS.r) || !within(p, LIMITS.p)) return null;
  const salt = Buffer.from(parts[3] ?? '', 'base64url');
  const hash = Buffer.from(parts[4] ?? '', 'base64url');
  if (salt.length < 16 || hash.length < 32 || hash.length > 64) return null;
  const N = 2 ** ln;
  return { options: { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, salt, hash };
}

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}

// Checked for a user name that does not exist, so that it costs what a wrong password does.
const DUMMY = `$scrypt$ln=15,r=8,p=1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;

/**
 * Whether `password` is the one `encoded` was made from, compared in constant time. With no hash
 * (an unknown user) it does the same work against a dummy and answers false. A hash that does not
 * parse never matches.
 */
export async function verifyPassword(encoded: string | undefined, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  const parsed = parseHash(encoded ?? DUMMY) ?? parseHash(DUMMY)!;
  const derived = await derive(password, parsed.salt, parsed.hash.length, parsed.options);
  return encoded !== undefined && timingSafeEqual(derived, parsed.hash) && parseHash(encoded) !== null;
}
