import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Directory, Principal, UserEntry } from './auth-file';
import type { Identity } from './identity';
import { LiveCredentials, stillValid } from './live';
import { RevokedSessions, type Revocation } from './revoked';

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
const refusing = (sids: string[]) => ({ refuses: (r: { sid: string }) => sids.includes(r.sid) });
const none = refusing([]);

describe('stillValid', () => {
  it('holds for the access granted, and not once it ends or changes', () => {
    const now = Date.now();
    expect(stillValid(session, directory(), none, now)).toBe(true);
    expect(stillValid(session, directory(), refusing(['s1']), now)).toBe(false);
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
    const revoked = none;
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
    // Access that ended before the stream opened: aborted at once, never watched.
    expect(live.watch({ ...session, expires: Date.now() - 1 }, new AbortController().signal).signal.aborted).toBe(true);
    expect(live.size).toBe(0);
  });
});

describe('RevokedSessions', () => {
  const later = Date.now() + 60_000;
  const r = (sid: string, user = 'alice', issued = 1_000): Revocation => ({ sid, user, issued, expires: later });

  it('merges sign-outs from elsewhere once, drops what is expired or malformed, and keeps them on disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-revoked-'));
    const file = path.join(dir, 'revoked.log');
    const revoked = new RevokedSessions(file, 3);
    const heard: Array<[number, string]> = [];
    revoked.onRevoke((change, where) => heard.push([change.revoked.length, where]));
    revoked.add(r('here'));
    expect(revoked.merge([r('a'), r('a'), r('here'), { ...r('old'), expires: Date.now() - 1 }, r('bad id!'), r('x'.repeat(65)), r('b', 'no spaces allowed')])).toBe(1);
    expect(revoked.merge([r('a')])).toBe(0);
    expect(heard).toEqual([[1, 'here'], [1, 'elsewhere']]);
    expect(revoked.refuses({ sid: 'a', user: 'alice', issued: 5 })).toBe(true);
    expect(revoked.refuses({ sid: 'z', user: 'alice', issued: 5 })).toBe(false);
    expect(new RevokedSessions(file, 3).list()).toEqual(revoked.list());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('past its cap replaces the oldest sign-outs by a cut-off of their user: nothing signed out is let back in', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-revoked-'));
    const file = path.join(dir, 'revoked.log');
    const revoked = new RevokedSessions(file, 2);
    revoked.add(r('victim', 'bob', 5_000));
    // Someone signs in and out in a loop.
    for (let i = 0; i < 50; i++) revoked.add(r(`loop${i}`, 'mallory', 10_000 + i));
    expect(revoked.size).toBe(2);
    expect(revoked.refuses({ sid: 'victim', user: 'bob', issued: 5_000 })).toBe(true);
    expect(revoked.refuses({ sid: 'loop0', user: 'mallory', issued: 10_000 })).toBe(true);
    // bob's later sessions are not cut off.
    expect(revoked.refuses({ sid: 'new', user: 'bob', issued: 6_000 })).toBe(false);
    // The log stays small (compacted) and says the same after a restart.
    expect(fs.readFileSync(file, 'utf8').split('\n').length).toBeLessThan(1_100);
    const again = new RevokedSessions(file, 2);
    expect(again.refuses({ sid: 'victim', user: 'bob', issued: 5_000 })).toBe(true);
    expect(again.cutoffList().sort()).toEqual(revoked.cutoffList().sort());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes 100,000 sign-outs past a cap of 50,000 (each evicting one) within the test timeout: no work grows with the list', () => {
    const revoked = new RevokedSessions(null, 50_000);
    for (let i = 0; i < 100_000; i++) revoked.add(r(`s${i}`, `u${i % 100}`, i));
    expect(revoked.size).toBe(50_000);
    expect(revoked.cutoffList()).toHaveLength(100);
  });
});
