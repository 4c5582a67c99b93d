import 'server-only';
import { HttpError } from '@/lib/http';
import { readBody } from '@/lib/ingest';
import { cameOverHttps, clientAddressOf, getAccess, identityOf, issueSession, NAME_PATTERN, PASSWORD_MAX_LENGTH, SESSION_COOKIE, verifyPassword } from '@/lib/access';

// A sign-in form is a few hundred bytes; anything larger is not one.
const FORM_MAX_BYTES = 8 * 1024;
// Password checks running at once (each ~60 ms of a thread-pool thread and 32 MiB): more are told to retry.
const MAX_CHECKS = 4;
let checking = 0;

/** Where to go after signing in: a path on this server, or the dashboard. */
export function safeNext(raw: string | null | undefined): string {
  const next = (raw ?? '').slice(0, 2048);
  // `//host` and `/\host` are other origins to a browser; only a plain local path is followed.
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /\p{Cc}/u.test(next)) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/api/')) return '/';
  return next;
}

function redirect(location: string, cookie?: string): Response {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store' });
  if (cookie) headers.append('Set-Cookie', cookie);
  return new Response(null, { status: 303, headers });
}

function loginAgain(error: string, next: string, extra = ''): Response {
  return redirect(`/login?error=${error}${extra}&next=${encodeURIComponent(next)}`);
}

/** The form's fields, or null when the body is not a urlencoded form of at most FORM_MAX_BYTES of UTF-8. */
async function readForm(request: Request): Promise<URLSearchParams | null> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  try {
    return new URLSearchParams(await readBody(request, FORM_MAX_BYTES));
  } catch (err) {
    if (err instanceof HttpError) return null;
    throw err;
  }
}

/** The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, for SESSION_TTL (or cleared). */
function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * `POST /api/auth/login` (the sign-in form): on the right user name and password, a session
 * cookie and a 303 to `next`; otherwise a 303 back to the form with one generic error. Failures
 * are counted per user name and per client address: past LOGIN_MAX_FAILURES within
 * LOGIN_LOCKOUT, further tries are refused without checking the password. Unknown users cost
 * the same check as known ones.
 */
export async function loginResponse(request: Request): Promise<Response> {
  const access = getAccess();
  const { env } = access;
  const form = await readForm(request);
  const next = safeNext(form?.get('next'));
  if (env.AUTH !== 'password') return redirect('/');
  if (!form) return loginAgain('invalid', next);
  const user = (form.get('user') ?? '').trim();
  const password = form.get('password') ?? '';
  const address = clientAddressOf(request.headers);
  const userKey = `user:${user.toLowerCase().slice(0, 64)}`;
  const locked = Math.max(access.userFailures.lockedFor(userKey), access.addressFailures.lockedFor(`addr:${address}`));
  if (locked > 0) return loginAgain('locked', next, `&retry=${Math.ceil(locked / 1000)}`);
  if (checking >= MAX_CHECKS) return loginAgain('busy', next);
  const entry = NAME_PATTERN.test(user) ? access.directory.directory.users.get(user) : undefined;
  checking++;
  let ok: boolean;
  try {
    ok = password.length > 0 && password.length <= PASSWORD_MAX_LENGTH && (await verifyPassword(entry?.password, password));
  } finally {
    checking--;
  }
  const secret = access.directory.directory.secret;
  if (!ok || !entry || !secret) {
    access.userFailures.fail(userKey);
    access.addressFailures.fail(`addr:${address}`);
    console.log(`[pulseboard] access: failed sign-in for ${JSON.stringify(user.slice(0, 64))} from ${address}`);
    return loginAgain('invalid', next);
  }
  access.userFailures.clear(userKey);
  const { token } = await issueSession(secret, entry.name, entry.version, env.SESSION_TTL);
  return redirect(next, sessionCookie(token, Math.floor(env.SESSION_TTL / 1000), cameOverHttps(request.headers)));
}

/** `POST /api/auth/logout`: the session is revoked on this instance (refused from now on, across restarts) and the cookie cleared. */
export function logoutResponse(request: Request): Response {
  const access = getAccess();
  const identity = identityOf(request.headers);
  if (identity.kind === 'user' && identity.sid && identity.expires) access.revoked.add({ sid: identity.sid, user: identity.name, issued: identity.issued ?? 0, expires: identity.expires });
  return redirect('/login?signed_out=1', sessionCookie('', 0, cameOverHttps(request.headers)));
}
