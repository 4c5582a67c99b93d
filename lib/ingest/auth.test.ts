import { describe, expect, it } from 'vitest';
import { addressMatcher as allowList } from '@/lib/http';
import { forwardedAddresses } from './auth';

describe('forwardedAddresses', () => {
  it('reads X-Forwarded-For, X-Real-IP and every for= of Forwarded (RFC 7239)', () => {
    const headers = new Headers({
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      'x-real-ip': '198.51.100.7',
      forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", for=192.0.2.61:8080',
    });
    expect(forwardedAddresses(headers)).toEqual(['203.0.113.9', '10.0.0.1', '198.51.100.7', '192.0.2.60', '2001:db8:cafe::17', '192.0.2.61']);
  });

  it('keeps unknown and obfuscated nodes, so they are never allowed', () => {
    const allowed = allowList(['127.0.0.0/8']);
    const addresses = forwardedAddresses(new Headers({ forwarded: 'for=unknown, for=_hidden' }));
    expect(addresses).toEqual(['unknown', '_hidden']);
    expect(addresses.some(allowed)).toBe(false);
  });

  it('bounds a long list', () => {
    const many = Array.from({ length: 1000 }, () => 'for=127.0.0.1').join(',');
    expect(forwardedAddresses(new Headers({ forwarded: many })).length).toBe(33);
  });
});

describe('allowList', () => {
  it('matches IPv4-mapped IPv6 peers as IPv4', () => {
    const allowed = allowList(['127.0.0.0/8', '::1/128']);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('10.0.0.1')).toBe(false);
    expect(allowed('')).toBe(false);
  });
});
