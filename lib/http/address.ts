import { BlockList, isIP } from 'node:net';

/**
 * Compiles a list of addresses and CIDR ranges (checked by lib/env.ts) into a matcher of peer
 * addresses: INGEST_ALLOW_FROM, TRUSTED_PROXIES.
 */
export function addressMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr = '', prefix] = cidr.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return (address) => {
    // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d.
    const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : undefined;
    if (v4 !== undefined && isIP(v4) === 4) return list.check(v4, 'ipv4');
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
