import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6Prefix64, streamQuerySchema } from './stream';

const caps = { QUERY_MAX_LENGTH: 256, QUERY_MAX_TERMS: 8 };

describe('streamQuerySchema', () => {
  it('takes any query: within the caps it parses, beyond them it names the setting, and it never throws', () => {
    const schema = streamQuerySchema(caps);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('series', 'since', 'other'), fc.string({ unit: 'binary', maxLength: 400 })), (query) => {
        const result = schema.safeParse(query);
        const series = query.series ?? '';
        const within = series.length <= caps.QUERY_MAX_LENGTH && (series ? series.split(',').length : 0) <= caps.QUERY_MAX_TERMS;
        const since = query.since;
        const sinceOk = since === undefined || (since.length >= 1 && since.length <= 128);
        expect(result.success).toBe(within && sinceOk);
        if (result.success) expect(result.data.series.length).toBeLessThanOrEqual(caps.QUERY_MAX_TERMS);
        else expect(result.error.issues.map((i) => i.message).join(' ')).toMatch(/QUERY_MAX_LENGTH|QUERY_MAX_TERMS|128|Too small/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ipv6Prefix64', () => {
  it.each([
    ['2001:db8::1', '2001:db8:0:0'],
    ['2001:0db8:0000:0042:abcd::7', '2001:db8:0:42'],
    ['fe80::1%eth0', 'fe80:0:0:0'],
    ['::1', '0:0:0:0'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2'],
  ])('%s is counted as %s::/64', (address, prefix) => expect(ipv6Prefix64(address)).toBe(prefix));
});
