import 'server-only';
import type http from 'node:http';
import type { Env } from '@/lib/env';
import { bearerMatches, bearerToken } from '@/lib/http';
import { listedUser, tokenDigest, type Role } from './auth-file';
import { ANONYMOUS, CLIENT_HEADER, encodeIdentity, HTTPS_HEADER, IDENTITY_HEADER, NOBODY, type Identity } from './identity';
import { SESSION_COOKIE, type SessionClaims } from './session';
import { getAccess, plainAddress, type Access } from './state';

/** What a request needs: nothing (sign-in page, static files), to read, or to write. */
type Need = 'public' | Role;

/** Paths anyone may reach under AUTH=password|proxy: what signing in takes, and nothing with data. */
function need(method: string, path: string): Need {
  // Built files only: names of letters, digits, `._-` (the gate has refused dot segments already).
  if ((path.startsWith('/_next/static/') && /^[\w./-]+$/.test(path) && !path.includes('..')) || path === '/icon.svg' || path === '/favicon.ico') return 'public';
  if (path === '/login' && (method === 'GET' || method === 'HEAD')) return 'public';
  if ((path === '/api/auth/login' || path === '/api/auth/logout') && method === 'POST') return 'public';
  // Health without credentials answers its status only (load balancers), see lib/api/health.ts.
  if (path === '/api/health' && (method === 'GET' || method === 'HEAD')) return 'public';
  if (path === '/api/ingest' && method === 'POST') return 'write';
  // The rules file holds channels' secrets: reading it is editing's business.
  if (path === '/api/alerts/rules') return 'write';
  return 'read';
}

/** The `name` cookie of a Cookie header, bounded. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The client's address: the socket's, or behind TRUSTED_PROXIES the nearest untrusted one they forward for. */
export function clientOf(req: http.IncomingMessage, access: Pick<Access, 'trusted'>): string {
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  if (!access.trusted(peer)) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '').slice(0, 2048).split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) if (!access.trusted(forwarded[i]!)) return forwarded[i]!.slice(0, 64);
  return peer;
}

/** Whether the request reached Pulseboard over HTTPS: its own socket, or a trusted proxy saying so. */
export function overHttps(req: http.IncomingMessage, access: Pick<Access, 'trusted'>): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return access.trusted(req.socket.remoteAddress ?? '') && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

type Resolved = { identity: Identity } | { refused: string };

/** The token a bearer header carries, as an identity: INGEST_TOKEN (a write token), or one of the auth file's. */
function bearerIdentity(header: string, token: string, env: Env, access: Access): Identity | null {
  if (env.INGEST_TOKEN !== undefined && bearerMatches(header, env.INGEST_TOKEN)) {
    return { kind: 'token', name: 'INGEST_TOKEN', roles: ['write'], scope: null };
  }
  const digest = tokenDigest(token);
  const entry = access.directory.directory.tokens.get(digest);
  return entry ? { kind: 'token', name: entry.name, roles: entry.roles, scope: entry.scope, credential: digest } : null;
}

/** A session cookie's user, checked against the auth file as it is now (removed users and changed passwords end sessions). */
function sessionIdentity(claims: SessionClaims | null, access: Access): Identity | null {
  if (!claims) return null;
  const user = access.directory.directory.users.get(claims.user);
  if (!user || user.version !== claims.version) return null;
  return { kind: 'user', name: user.name, roles: user.roles, scope: user.scope, sid: claims.sid, expires: claims.expires, issued: claims.issued, credential: user.version };
}

/**
 * Who the request comes from: a bearer token (any mode), a session cookie (AUTH=password), or a
 * trusted proxy's user header (AUTH=proxy). Synchronous unless a cookie must be verified for the
 * first time. A bearer that is no token is refused outright under AUTH=password|proxy.
 */
function resolve(req: http.IncomingMessage, access: Access): Resolved | Promise<Resolved> | null {
  const { env } = access;
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const bearer = bearerToken(authorization);
    const identity = bearer ? bearerIdentity(authorization, bearer, env, access) : null;
    if (identity) return { identity };
    if (env.AUTH !== 'none') return { refused: bearer ? 'bearer token not recognised (removed, or never created: npm run pulseboard -- token list)' : 'Authorization must be "Bearer <token>"' };
  }
  if (env.AUTH === 'proxy') {
    const header = req.headers[env.AUTH_PROXY_HEADER];
    if (header === undefined) return null;
    if (!access.trusted(req.socket.remoteAddress ?? '')) return { refused: `${env.AUTH_PROXY_HEADER} is believed only from TRUSTED_PROXIES; this request came from ${plainAddress(req.socket.remoteAddress ?? 'an unknown address')}` };
    const name = String(header).trim();
    // Node joins a repeated header with ", ": one proxy sends one name.
    if (name === '' || name.length > 256 || name.includes(',') || /\p{Cc}/u.test(name)) return { refused: `${env.AUTH_PROXY_HEADER} is not one user name` };
    const listed = listedUser(access.directory.directory, name);
    return { identity: { kind: 'proxy', name, roles: listed?.roles ?? ['read'], scope: listed?.scope ?? null } };
  }
  if (env.AUTH === 'password') {
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!cookie) return null;
    const known = access.sessions.known(cookie);
    if (known !== undefined) {
      const identity = sessionIdentity(known, access);
      return identity ? { identity } : null;
    }
    return access.sessions.verify(access.directory.directory.secret, cookie).then((claims) => {
      const identity = sessionIdentity(claims, access);
      return identity ? { identity } : { refused: 'session expired or signed out: sign in again' };
    });
  }
  return null;
}

function answer(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: message, issues: [] }));
}

/** 303 to the sign-in page, which comes back to `target` after. */
function toLogin(res: http.ServerResponse, target: string, clearCookie: boolean): void {
  res.writeHead(303, {
    Location: `/login?next=${encodeURIComponent(target.slice(0, 2048))}`,
    'Cache-Control': 'no-store',
    ...(clearCookie && { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` }),
  });
  res.end();
}

/** Lets the request on with `identity` stamped (over whatever the client sent), or answers it: 401, 403 or a redirect to sign in. */
function decide(req: http.IncomingMessage, res: http.ServerResponse, resolved: Resolved | null, needed: Need, access: Access): boolean {
  const { env } = access;
  const target = req.url ?? '/';
  const path = target.split('?')[0] ?? '/';
  let identity = resolved && 'identity' in resolved ? resolved.identity : env.AUTH === 'none' ? ANONYMOUS : NOBODY;
  // AUTH=none: anyone reads everything, a token without the read role too.
  if (env.AUTH === 'none' && needed === 'read' && !identity.roles.includes('read')) identity = ANONYMOUS;
  if (needed === 'public' || identity.roles.includes(needed) || (env.AUTH === 'none' && needed === 'write')) {
    // AUTH=none: writes are ingest's to judge (INGEST_TOKEN, INGEST_ALLOW_FROM), as before.
    req.headers[IDENTITY_HEADER] = encodeIdentity(identity);
    req.headers[CLIENT_HEADER] = clientOf(req, access);
    req.headers[HTTPS_HEADER] = overHttps(req, access) ? '1' : '0';
    return true;
  }
  if (identity.kind !== 'anonymous') {
    const may = identity.roles.length > 0 ? identity.roles.join(' and ') : 'nothing';
    answer(res, 403, `${identity.kind} ${JSON.stringify(identity.name)} may ${may}; this request needs the ${needed} role`);
    return false;
  }
  const why = resolved && 'refused' in resolved ? resolved.refused : env.AUTH === 'proxy' ? `no ${env.AUTH_PROXY_HEADER} header from a trusted proxy, and no bearer token` : 'sign in, or send "Authorization: Bearer <token>"';
  // A person's page request goes to sign in; a program's (it sent a token) is told why it was refused.
  const page = !path.startsWith('/api/') && (req.method === 'GET' || req.method === 'HEAD') && env.AUTH === 'password' && req.headers.authorization === undefined;
  if (page) {
    toLogin(res, target, resolved !== null);
    return false;
  }
  answer(res, 401, `authentication required: ${why}`, { 'WWW-Authenticate': 'Bearer realm="pulseboard"' });
  return false;
}

/**
 * The request gate's access check (lib/runtime/gate.ts calls it for every request it admits):
 * establishes who the request is from and whether it may do what it asks, stamps the identity
 * for route handlers and pages (`identityOf`), or answers it. True: on to Next.js; false:
 * answered; a promise of either while a session cookie is verified for the first time.
 */
export function checkAccess(req: http.IncomingMessage, res: http.ServerResponse): boolean | Promise<boolean> {
  const access = getAccess();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const needed = need(req.method ?? 'GET', path);
  const resolved = resolve(req, access);
  if (resolved instanceof Promise) return resolved.then((r) => decide(req, res, r, needed, access));
  return decide(req, res, resolved, needed, access);
}
