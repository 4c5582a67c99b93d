import { fieldsOf, forEachLine, isPlainName, parseCount } from './text';

/** One network interface's counters from /proc/net/dev. */
export interface NetDevStat {
  device: string;
  receiveBytes: number;
  receivePackets: number;
  receiveErrs: number;
  receiveDrop: number;
  transmitBytes: number;
  transmitPackets: number;
  transmitErrs: number;
  transmitDrop: number;
}

const MAX_LINES = 1_024;
const MAX_INTERFACES = 256;

/**
 * Parses /proc/net/dev into per-interface receive and transmit bytes, packets, errors and drops.
 * The two header lines, malformed lines and repeated names are skipped; at most 256 interfaces.
 */
export function parseNetDev(text: string): NetDevStat[] {
  const out: NetDevStat[] = [];
  const seen = new Set<string>();
  forEachLine(text, MAX_LINES, (line) => {
    // A big counter can touch the colon (`eth0:425893435`), so split there, not on spaces.
    const colon = line.indexOf(':');
    if (colon < 0) return;
    const device = line.slice(0, colon).trim();
    if (!isPlainName(device, 64) || seen.has(device)) return;
    const f = fieldsOf(line.slice(colon + 1));
    if (f.length < 16) return;
    const n = f.slice(0, 16).map(parseCount);
    if (n.some((v) => v === undefined)) return;
    const v = n as number[];
    seen.add(device);
    out.push({
      device,
      receiveBytes: v[0]!,
      receivePackets: v[1]!,
      receiveErrs: v[2]!,
      receiveDrop: v[3]!,
      transmitBytes: v[8]!,
      transmitPackets: v[9]!,
      transmitErrs: v[10]!,
      transmitDrop: v[11]!,
    });
    return out.length < MAX_INTERFACES;
  });
  return out;
}
