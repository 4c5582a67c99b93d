import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `npm run pulseboard -- …` (the CLI itself) against `dataDir`; `input` is its stdin (a password). */
export function cli(dataDir: string, args: string[], input = ''): string {
  return execFileSync(process.execPath, ['lib/cli/pulseboard.mjs', ...args], { env: { ...process.env, DATA_DIR: dataDir, AUTH_FILE: '' }, input, encoding: 'utf8' }).trim();
}

/** A fresh DATA_DIR with users and tokens made by the CLI: the tokens as it printed them. */
export function authDir(setup: { users?: Array<{ name: string; password: string; scope?: string; role?: string }>; tokens?: Array<{ name: string; role: string; scope?: string }> }): { dir: string; tokens: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-auth-'));
  for (const u of setup.users ?? []) cli(dir, ['user', 'add', u.name, ...(u.role ? ['--role', u.role] : []), ...(u.scope ? ['--scope', u.scope] : [])], `${u.password}\n`);
  const tokens: Record<string, string> = {};
  for (const t of setup.tokens ?? []) tokens[t.name] = cli(dir, ['token', 'add', t.name, '--role', t.role, ...(t.scope ? ['--scope', t.scope] : [])]);
  return { dir, tokens };
}

/** Signs in through the form's endpoint; the session cookie (`name=value`), or null when refused. */
export async function signIn(baseURL: string, user: string, password: string): Promise<string | null> {
  const res = await fetch(`${baseURL}/api/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseURL },
    body: new URLSearchParams({ user, password, next: '/' }).toString(),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('pulseboard_session=') && !c.startsWith('pulseboard_session=;'));
  return cookie ? cookie.split(';')[0]! : null;
}
