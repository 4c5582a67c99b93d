import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Directory, Principal, UserEntry } from './auth-file';
import type { Identity } from './identity';
import { LiveCredentials, stillValid } from './live';
import { RevokedSessions } from './session';

const alice: UserEntry = { name: 'alice', roles: ['read'], scope: null, filter: null, password: '$scrypt$x', version: 'v1' };
const reader: Principal = { name: 'reader', roles: ['read'], scope: 'team="a"', filter: null };
const directory = (users: UserEntry[] = [alice], tokens: Array<[string, Principal]> = [['sha256:1', reader]]): Directory => ({
  secret: null,
  users: new Map(users.map((u) => [u.name, u])),
  tokens: new Map(tokens),
  problems: [],
});
const session: Identity = { kind: 'user', name: 'alice', roles: ['read'], scope: null, sid: 's1', expires: Date.now() + 60_000, credential: 'v1' };
const token: Identity = { kind: 'token', name: 'reader', roles: ['read'], scope: 'team="a"', credential: 'sha256:1' };
const none = new Set<string>();

describe('stillValid', () => {
  it('holds for the access granted, and not once it ends or changes', () => {
    const now = Date.now();
    expect(stillValid(session, directory(), none, now)).toBe(true);
    expect(stillValid(session, directory(), new Set(['s1']), now)).toBe(false);
    expect(stillValid(session, directory(), none, now + 120_000)).toBe(false);
    expect(stillValid(session, directory([]), none, now)).toBe(false);
    expect(stillValid(session, directory([{ ...alice, version: 'v2' }]), none, now)).toBe(false);
    expect(stillValid(session, directory([{ ...alice, scope: 'team="b"' }]), none, now)).toBe(false);
    expect(stillValid(session, directory([{ ...alice, roles: ['read', 'write'] }]), none, now)).toBe(false);
    expect(stillValid(token, directory(), none, now)).toBe(true);
    expect(stillValid(token, directory(undefined, []), none, now)).toBe(false);
    expect(stillValid(token, directory(undefined, [['sha256:1', { ...reader, name: 'other' }]]), none, now)).toBe(false);
    expect(stillValid(token, directory(undefined, [['sha256:1', { ...reader, scope: null }]]), none, now)).toBe(false);
    expect(stillValid({ kind: 'token', name: 'INGEST_TOKEN', roles: ['write'], scope: null }, directory([], []), none, now)).toBe(true);
    expect(stillValid({ kind: 'proxy', name: 'ALICE', roles: ['read'], scope: null }, directory(), none, now)).toBe(true);
    expect(stillValid({ kind: 'proxy', name: 'ALICE', roles: ['read'], scope: null }, directory([{ ...alice, scope: 'x="1"' }]), none, now)).toBe(false);
    expect(stillValid({ kind: 'anonymous', name: '', roles: ['read'], scope: null }, directory([], []), none, now)).toBe(true);
  });
});

describe('LiveCredentials', () => {
  it('ends the streams of an identity whose access ended, and forgets ended streams', () => {
    let current = directory();
    const revoked = new Set<string>();
    const live = new LiveCredentials(() => current, revoked);
    const a = new AbortController();
    const b = new AbortController();
    const s = live.watch(session, a.signal);
    const t = live.watch(token, b.signal);
    expect(live.size).toBe(2);
    expect(live.check()).toBe(0);
    current = directory(undefined, []);
    expect(live.check()).toBe(1);
    expect(t.signal.aborted).toBe(true);
    expect(s.signal.aborted).toBe(false);
    expect(live.size).toBe(1);
    a.abort();
    expect(s.signal.aborted).toBe(true);
    expect(live.size).toBe(0);
    const anonymous = new AbortController();
    expect(live.watch({ kind: 'anonymous', name: '', roles: ['read'], scope: null }, anonymous.signal).signal).toBe(anonymous.signal);
    const refused = live.watch(session, new AbortController().signal);
    refused.release();
    expect(live.size).toBe(0);
  });
});

describe('RevokedSessions', () => {
  it('merges sign-outs from elsewhere once, drops what is expired or malformed, and keeps them on disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-revoked-'));
    const file = path.join(dir, 'revoked.json');
    const revoked = new RevokedSessions(file, 3);
    const heard: Array<[number, string]> = [];
    revoked.onRevoke((entries, where) => heard.push([entries.length, where]));
    const later = Date.now() + 60_000;
    revoked.add('here', later);
    expect(revoked.merge([['a', later], ['a', later], ['here', later], ['old', Date.now() - 1], ['bad id!', later], ['x'.repeat(65), later]])).toBe(1);
    expect(revoked.merge([['a', later]])).toBe(0);
    expect(heard).toEqual([[1, 'here'], [1, 'elsewhere']]);
    // Past the cap, the soonest to expire go.
    revoked.merge([['b', later + 1], ['c', later + 2]]);
    expect(revoked.size).toBe(3);
    expect(revoked.has('here') || revoked.has('a')).toBe(true);
    expect(new RevokedSessions(file, 3).list().sort()).toEqual(revoked.list().sort());
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
