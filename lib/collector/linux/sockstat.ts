import { fieldsOf, forEachLine, parseCount } from './text';

const MAX_LINES = 64;
const PROTOCOL = /^[A-Za-z][A-Za-z0-9]{0,15}$/;
const KEY = /^[a-z]{1,16}$/;

/**
 * Parses /proc/net/sockstat or sockstat6 into protocol → field → value, e.g.
 * `TCP: inuse 11 orphan 0 tw 2` gives `{ TCP: { inuse: 11, orphan: 0, tw: 2 } }`. Pairs that are
 * not `name number` are skipped.
 */
export function parseSockstat(text: string): Record<string, Record<string, number>> {
  const out = Object.create(null) as Record<string, Record<string, number>>;
  forEachLine(text, MAX_LINES, (line) => {
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    const protocol = line.slice(0, colon);
    if (!PROTOCOL.test(protocol) || protocol in out) return;
    const f = fieldsOf(line.slice(colon + 1));
    const fields = Object.create(null) as Record<string, number>;
    for (let i = 0; i + 1 < f.length && i < 32; i += 2) {
      const value = parseCount(f[i + 1]);
      if (KEY.test(f[i]!) && value !== undefined) fields[f[i]!] = value;
    }
    out[protocol] = fields;
  });
  return out;
}

/**
 * The sockstat figures Pulseboard publishes, as `[protocol, field]`; the series is
 * `node_sockstat_<protocol>_<field>`, node_exporter's name.
 */
export const SOCKSTAT_SERIES: ReadonlyArray<readonly [protocol: string, field: string]> = [
  ['sockets', 'used'],
  ['TCP', 'inuse'],
  ['TCP', 'orphan'],
  ['TCP', 'tw'],
  ['TCP', 'alloc'],
  ['UDP', 'inuse'],
  ['TCP6', 'inuse'],
  ['UDP6', 'inuse'],
];
