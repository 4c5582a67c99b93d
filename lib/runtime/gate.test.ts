import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { admittedHeaders, checkRequest, contentSecurityPolicy, peerOf, PEER_HEADER, type GatePolicy } from './gate';

const policy: GatePolicy = { allowedHosts: ['dash.example.com'], token: 'a-long-enough-ingest-token', dev: false };
const check = (method: string, headers: http.IncomingHttpHeaders, p = policy, target = '/api/ingest') => checkRequest(method, target, headers, p);

describe('checkRequest', () => {
  it('refuses a path that is not in its normal form (Next.js would route it elsewhere)', () => {
    for (const target of ['/_next/static/../../api/series', '/_next/static/%2e%2e/%2e%2e/api/series', '/_next/static/.%2E/x', '/a/./b', '/_next\\static/x', '/x/..']) {
      expect(checkRequest('GET', target, { host: '127.0.0.1:3000' }, policy), target).toMatchObject({ status: 400, reason: 'target' });
    }
    expect(checkRequest('GET', '/_next/static/chunks/a.js?x=../..', { host: '127.0.0.1:3000' }, policy)).toBeNull();
  });

  it('lets through requests to an allowed host from programs and from its own pages', () => {
    expect(check('GET', { host: '127.0.0.1:3000' })).toBeNull();
    expect(check('POST', { host: 'localhost:3000', 'content-type': 'text/plain' })).toBeNull();
    expect(check('POST', { host: 'localhost:3000', origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(check('GET', { host: 'dash.example.com', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).toBeNull();
  });

  it('refuses a Host that is not an allowed name, and a missing Host', () => {
    expect(check('GET', { host: 'rebind.attacker.example:3000' })).toMatchObject({ status: 403, reason: 'host', message: expect.stringContaining('ALLOWED_HOSTS') });
    expect(check('GET', {})).toMatchObject({ status: 400, reason: 'host' });
  });

  it('refuses a write from a foreign page (CSRF), by Origin or by Sec-Fetch-Site', () => {
    expect(check('POST', { host: '127.0.0.1:3000', origin: 'http://evil.example' })).toMatchObject({ status: 403, reason: 'cross_site' });
    expect(check('POST', { host: 'localhost:3000', origin: 'null' })).toMatchObject({ status: 403 });
    expect(check('POST', { host: 'localhost:3000', origin: 'null', 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
    // Pulseboard's own form (no-referrer sends Origin: null), as the browser vouches with Sec-Fetch-Site.
    expect(check('POST', { host: 'localhost:3000', origin: 'null', 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(check('POST', { host: 'localhost:3000', 'sec-fetch-site': 'same-site' })).toMatchObject({ status: 403 });
    expect(check('DELETE', { host: 'localhost:3000', 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403 });
  });

  it('lets a foreign page write when it carries the ingest token', () => {
    const headers = { host: '127.0.0.1:3000', origin: 'http://evil.example', authorization: 'Bearer a-long-enough-ingest-token' };
    expect(check('POST', headers)).toBeNull();
    expect(check('POST', { ...headers, authorization: 'Bearer wrong' })).toMatchObject({ status: 403 });
    expect(check('POST', headers, { ...policy, token: undefined })).toMatchObject({ status: 403 });
  });

  it('refuses a foreign page reading the API (EventSource, fetch), but not a link followed to the dashboard', () => {
    expect(check('GET', { host: 'localhost:3000', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' })).toMatchObject({ status: 403 });
    expect(check('GET', { host: 'localhost:3000', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBeNull();
  });

  it('quotes hostile header values only in part', () => {
    const refusal = check('POST', { host: 'localhost:3000', origin: `http://${'x'.repeat(100_000)}.example` });
    expect(refusal?.message.length).toBeLessThan(400);
  });
});

describe('request targets', () => {
  it('refuses anything but a path that decodes: OPTIONS *, absolute URLs, broken percent-encoding', () => {
    for (const target of ['*', 'http://evil.example/api/health', '//evil.example/x', '/api/series/%E0%A4%A', '/metrics/%ZZ']) {
      expect(check('GET', { host: 'localhost:3000' }, policy, target), target).toMatchObject({ status: 400, reason: 'target' });
    }
    expect(check('GET', { host: 'localhost:3000' }, policy, '/api/series/a%7Bb%3D%22c%22%7D?x=%ZZ')).toBeNull();
  });
});

describe('contentSecurityPolicy', () => {
  it('allows scripts only with the nonce, and no framing', () => {
    const csp = contentSecurityPolicy('abc', false);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('abc', true)).toContain("'unsafe-eval'");
  });
});

describe('peerOf', () => {
  it('believes only the address the gate stamped, never one a client sent', () => {
    expect(peerOf(new Headers(admittedHeaders('::ffff:127.0.0.1', 'n', false)))).toBe('127.0.0.1');
    expect(peerOf(new Headers({ [PEER_HEADER]: '127.0.0.1' }))).toBeUndefined();
    expect(peerOf(new Headers({ [PEER_HEADER]: '127.0.0.1', 'x-pulseboard-gate': 'guess' }))).toBeUndefined();
  });
});
