import { describe, expect, it } from 'vitest';
import { isAllowedHost, isSameOrigin, parseHost } from './origin';

const host = (raw: string) => {
  const h = parseHost(raw);
  if (!h) throw new Error(`parseHost refused ${raw}`);
  return h;
};

describe('parseHost', () => {
  it.each([
    ['localhost:3000', { name: 'localhost', port: '3000' }],
    ['Dash.Example.COM.', { name: 'dash.example.com', port: undefined }],
    ['127.0.0.1', { name: '127.0.0.1', port: undefined }],
    ['[::1]:8080', { name: '::1', port: '8080' }],
  ])('reads %s', (raw, want) => expect(parseHost(raw)).toEqual(want));

  it.each(['', ':80', 'a:b', '::1', '[::1', '[zz]:80', '[::1]x', 'a:123456', 'x'.repeat(300)])('refuses %j', (raw) => {
    expect(parseHost(raw)).toBeUndefined();
  });
});

describe('isAllowedHost', () => {
  it('always accepts IP literals and localhost', () => {
    for (const raw of ['127.0.0.1:3000', '10.0.0.5', '[::1]:3000', 'localhost:3000']) expect(isAllowedHost(host(raw), [])).toBe(true);
  });

  it('accepts listed names, subdomains of *.suffix, and anything for *', () => {
    expect(isAllowedHost(host('dash.example.com'), ['dash.example.com'])).toBe(true);
    expect(isAllowedHost(host('a.b.internal'), ['*.internal'])).toBe(true);
    expect(isAllowedHost(host('internal'), ['*.internal'])).toBe(false);
    expect(isAllowedHost(host('anything.example'), ['*'])).toBe(true);
  });

  it('refuses a name that only resembles an allowed one (DNS rebinding)', () => {
    for (const raw of ['rebind.attacker.example', 'dash.example.com.attacker.example', 'localhost.attacker.example', 'evilinternal']) {
      expect(isAllowedHost(host(raw), ['dash.example.com', '*.internal'])).toBe(false);
    }
  });
});

describe('isSameOrigin', () => {
  it('matches name and port, with the scheme default port', () => {
    expect(isSameOrigin('http://127.0.0.1:3000', host('127.0.0.1:3000'))).toBe(true);
    expect(isSameOrigin('http://localhost', host('localhost:80'))).toBe(true);
    expect(isSameOrigin('https://dash.example.com', host('dash.example.com'))).toBe(true);
  });

  it('refuses other hosts, other ports, null and other schemes', () => {
    expect(isSameOrigin('http://evil.example', host('127.0.0.1:3000'))).toBe(false);
    expect(isSameOrigin('http://localhost:8080', host('localhost:3000'))).toBe(false);
    expect(isSameOrigin('null', host('localhost:3000'))).toBe(false);
    expect(isSameOrigin('chrome-extension://abc', host('localhost:3000'))).toBe(false);
    expect(isSameOrigin(`http://${'a'.repeat(5000)}`, host('localhost:3000'))).toBe(false);
  });
});
