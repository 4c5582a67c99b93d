import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBlkioServiceBytes, parseCgroupMembership, parseCgroupValue, parseFlatKeyed, parseIoStat } from './cgroup';
import { parseDiskstats } from './diskstats';
import { parseFileNr } from './filenr';
import { parseLoadavg } from './loadavg';
import { parseMeminfo } from './meminfo';
import { parseMounts } from './mounts';
import { parseNetDev } from './netdev';
import { parsePidStat } from './pidstat';
import { parsePressure } from './pressure';
import { readCapped } from './read';
import { parseSockstat } from './sockstat';
import { parseProcStat } from './stat';
import { parseTcpStates } from './tcp';

const parsers: Record<string, (text: string) => unknown> = {
  parseProcStat,
  parseMeminfo,
  parseDiskstats,
  parseMounts,
  parseNetDev,
  parseSockstat,
  parseTcpStates,
  parsePressure,
  parseFileNr,
  parseLoadavg,
  parsePidStat,
  parseCgroupMembership,
  parseFlatKeyed,
  parseCgroupValue,
  parseIoStat,
  parseBlkioServiceBytes,
};

// Deterministic garbage: every byte value, newlines and NULs included.
function garbage(bytes: number): string {
  let x = 0x2545f491;
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf.toString('latin1');
}

const timed = (fn: () => unknown): number => {
  const started = performance.now();
  fn();
  return performance.now() - started;
};

const inputs: Record<string, string> = {
  empty: '',
  'binary garbage': garbage(1 << 20),
  'a 10 MB line': `cpu0 ${'9'.repeat(10_000_000)}`,
  'a 10 MB line of parentheses': `1 (${'()'.repeat(5_000_000)}`,
};

describe('parsers on hostile input', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    for (const [label, text] of Object.entries(inputs)) {
      it(`${name} survives ${label}`, () => {
        expect(timed(() => parse(text))).toBeLessThan(1_000);
      });
    }
  }

  it('caps what 100,000 lines can produce', () => {
    const lines = (line: (i: number) => string) => Array.from({ length: 100_000 }, (_, i) => line(i)).join('\n');
    const cases: Array<[string, () => number]> = [
      ['cpus', () => parseProcStat(lines((i) => `cpu${i} 1 2 3 4 5 6 7 8`)).cpus.length],
      ['meminfo fields', () => Object.keys(parseMeminfo(lines((i) => `F${i}: 1 kB`))).length],
      ['disks', () => parseDiskstats(lines((i) => `8 0 disk${i}x 1 0 8 0 1 0 8 0 0 1 0`)).length],
      ['mounts', () => parseMounts(lines((i) => `/dev/x /m${i} ext4 rw 0 0`)).length],
      ['interfaces', () => parseNetDev(lines((i) => `if${i}: 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0`)).length],
      ['sockets', () => Object.values(parseTcpStates(lines(() => '0: 0:0 0:0 01 x')).counts)[0] ?? 0],
      ['cgroup controllers', () => Object.keys(parseCgroupMembership(lines((i) => `${i}:c${i}:/`)).controllers).length],
    ];
    const caps: Record<string, number> = {
      cpus: 1_024,
      'meminfo fields': 256,
      disks: 256,
      mounts: 4_096,
      interfaces: 256,
      sockets: 65_536,
      'cgroup controllers': 64,
    };
    for (const [what, run] of cases) {
      let n = 0;
      expect(timed(() => (n = run())), what).toBeLessThan(1_000);
      expect(n, what).toBeLessThanOrEqual(caps[what]!);
      expect(n, what).toBeGreaterThan(0);
    }
    expect(parseTcpStates(Array.from({ length: 100_000 }, () => '0: 0:0 0:0 01 x').join('\n')).truncated).toBe(true);
  });

  it('ignores numbers that are not decimal counts', () => {
    expect(parseProcStat('cpu0 0x10 1e3 -1 Infinity\nctxt 1.5\n').cpus).toEqual([]);
    expect({ ...parseMeminfo('MemTotal: 12345678901234567890123 kB\nMemFree: NaN kB\n') }).toEqual({});
    expect(parseLoadavg('NaN Infinity 1')).toBeNull();
  });
});

describe('readCapped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-linux-read-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cuts a large file at the cap, at its last complete line, and says so', () => {
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, `${'x'.repeat(99)}\n` + `${'y'.repeat(99)}\n`.repeat(100_000));
    const read = readCapped(file, 4_096);
    expect(read?.truncated).toBe(true);
    expect(read!.text.length).toBeLessThanOrEqual(4_096);
    expect(read!.text.endsWith('\n')).toBe(true);
    expect(read!.text.length % 100).toBe(0);
  });

  it('reads a file of exactly the cap whole', () => {
    const file = path.join(dir, 'exact');
    fs.writeFileSync(file, 'a\n'.repeat(2_048));
    expect(readCapped(file, 4_096)).toEqual({ text: 'a\n'.repeat(2_048), truncated: false });
  });

  it('is null for a missing file or a directory', () => {
    expect(readCapped(path.join(dir, 'missing'))).toBeNull();
    expect(readCapped(dir)).toBeNull();
  });

  it('reads /proc files, whose size reads as 0', () => {
    if (process.platform !== 'linux') return;
    expect(readCapped('/proc/self/stat')?.text).toMatch(/^\d+ \(/);
  });
});

describe('caps past 64 devices', () => {
  it('keep the host\'s own interfaces before container ones, and whole disks before dm volumes', async () => {
    const { createLinuxSampler } = await import('./sampler');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-caps-'));
    fs.mkdirSync(path.join(root, 'proc/net'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/stat'), 'cpu  1 0 1 1 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\n');
    const line = (d: string) => `${d}: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0`;
    fs.writeFileSync(path.join(root, 'proc/net/dev'), ['Inter-|', ' face |', ...Array.from({ length: 100 }, (_, i) => line(`cali${String(i).padStart(3, '0')}`)), line('eth0')].join('\n'));
    fs.writeFileSync(path.join(root, 'proc/diskstats'), [...Array.from({ length: 100 }, (_, i) => `253 ${i} dm-${i} 1 0 8 1 1 0 8 1 0 1 1`), '8 0 sda 1 0 8 1 1 0 8 1 0 1 1'].join('\n'));
    const devices = (name: string) => createLinuxSampler({ root, env: {}, statfs: () => null })!.sample().filter((s) => s.name === name).map((s) => s.labels?.device);
    expect(devices('node_network_receive_bytes_total')).toContain('eth0');
    expect(devices('node_network_receive_bytes_total')).toHaveLength(64);
    expect(devices('node_disk_read_bytes_total')).toContain('sda');
    fs.rmSync(root, { recursive: true, force: true });
  });
});
