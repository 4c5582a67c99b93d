import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBlkioServiceBytes, parseCgroupMembership, parseCgroupValue, parseFlatKeyed, parseIoStat } from './cgroup';
import { parseDiskstats } from './diskstats';
import { parseFileNr } from './filenr';
import { parseLoadavg } from './loadavg';
import { meminfoFieldName, parseMeminfo } from './meminfo';
import { parseMounts, unescapeMountPath } from './mounts';
import { parseNetDev } from './netdev';
import { parsePidStat } from './pidstat';
import { parsePressure } from './pressure';
import { parseSockstat } from './sockstat';
import { parseProcStat } from './stat';
import { parseTcpStates } from './tcp';

const fixture = (root: string, file: string) => fs.readFileSync(fileURLToPath(new URL(`./fixtures/${root}/${file}`, import.meta.url)), 'utf8');

describe('parseProcStat', () => {
  it('reads per-cpu jiffies as seconds (USER_HZ 100) and the counters of the host fixture', () => {
    const stat = parseProcStat(fixture('host', 'proc/stat'));
    expect(stat.total).toEqual({ user: 679.73, nice: 17.69, system: 130.19, idle: 2154.02, iowait: 13.5, irq: 0, softirq: 10.1, steal: 1.28 });
    expect(stat.cpus.map((c) => c.cpu)).toEqual(['0', '1']);
    expect(stat.cpus[0]!.seconds).toEqual({ user: 317.35, nice: 8.7, system: 55.17, idle: 1113.56, iowait: 2.17, irq: 0, softirq: 4.84, steal: 0.61 });
    expect(stat).toMatchObject({ contextSwitches: 3447086, forks: 16704, procsRunning: 1, procsBlocked: 0, bootTime: 1796294865 });
  });

  it('reads four cpus of an older kernel', () => {
    const stat = parseProcStat(fixture('no-psi', 'proc/stat'));
    expect(stat.cpus.map((c) => c.cpu)).toEqual(['0', '1', '2', '3']);
    expect(stat.cpus[3]!.seconds.user).toBe(11.32);
    expect(stat.bootTime).toBe(1062191376);
  });

  it('fills modes missing on very old kernels with 0 and skips malformed or repeated cpu lines', () => {
    const stat = parseProcStat('cpu0 100 0 50 1000\ncpu1 x 0 0 0\ncpu0 1 1 1 1 1 1 1 1\ncpuX 1 2 3 4\nctxt\nbtime -5\n');
    expect(stat.cpus).toEqual([{ cpu: '0', seconds: { user: 1, nice: 0, system: 0.5, idle: 10, iowait: 0, irq: 0, softirq: 0, steal: 0 } }]);
    expect(stat.contextSwitches).toBeUndefined();
    expect(stat.bootTime).toBeUndefined();
  });
});

describe('parseMeminfo', () => {
  it('gives kB fields in bytes and unit-less fields as they are, with node_exporter names', () => {
    const mem = parseMeminfo(fixture('host', 'proc/meminfo'));
    expect(mem.MemTotal).toBe(24683664 * 1024);
    expect(mem.MemAvailable).toBe(23478516 * 1024);
    expect(mem.Active_anon).toBe(26256 * 1024);
    expect(mem['Active(anon)']).toBeUndefined();
    expect(mem.HugePages_Total).toBe(0);
    expect(mem.Hugepagesize).toBe(2048 * 1024);
    expect(mem.VmallocTotal).toBe(34359738367 * 1024);
  });

  it('names fields as node_exporter does', () => {
    expect(meminfoFieldName('Active(anon)')).toBe('Active_anon');
    expect(meminfoFieldName('Inactive(file)')).toBe('Inactive_file');
    expect(meminfoFieldName('Committed_AS')).toBe('Committed_AS');
    expect(meminfoFieldName('__proto__')).toBeUndefined();
    expect(meminfoFieldName('Bad Name')).toBeUndefined();
  });

  it('skips lines with another unit, no number or extra fields', () => {
    expect({ ...parseMeminfo('A: 1 MB\nB: kB\nC: 1 kB extra\nD: 2 kB\nD: 3 kB\n:5\n') }).toEqual({ D: 2048 });
  });
});

describe('parseDiskstats', () => {
  it('keeps whole disks and converts sectors to bytes and milliseconds to seconds', () => {
    expect(parseDiskstats(fixture('host', 'proc/diskstats'))).toEqual([
      { device: 'vda', readsCompleted: 135357, readBytes: 4621266 * 512, writesCompleted: 77370, writtenBytes: 5938880 * 512, ioTimeSeconds: 21.244 },
    ]);
  });

  it('drops partitions, loop and ram devices and keeps dm-, sr and nvme namespaces (14-column format)', () => {
    const disks = parseDiskstats(fixture('no-psi', 'proc/diskstats'));
    expect(disks.map((d) => d.device)).toEqual(['sda', 'sr0', 'dm-0', 'nvme0n1']);
    expect(disks[0]).toEqual({ device: 'sda', readsCompleted: 28312, readBytes: 1675602 * 512, writesCompleted: 30560, writtenBytes: 1884794 * 512, ioTimeSeconds: 30.772 });
  });

  it('applies the node_exporter exclusion pattern', () => {
    const names = ['zram0', 'ram1', 'loop12', 'fd0', 'hda1', 'sdb3', 'vdc1', 'xvda2', 'nvme1n1p3', 'sdaa', 'md127', 'mmcblk0', 'xvda'];
    const text = names.map((n) => `8 0 ${n} 1 0 8 0 1 0 8 0 0 1 0`).join('\n');
    expect(parseDiskstats(text).map((d) => d.device)).toEqual(['sdaa', 'md127', 'mmcblk0', 'xvda']);
  });
});

describe('parseMounts', () => {
  it('keeps the real filesystems of the host fixture, unescaping octal escapes', () => {
    expect(parseMounts(fixture('host', 'proc/self/mounts'))).toEqual([
      { device: '/dev/vda', mountpoint: '/', fstype: 'ext4', readonly: false },
      { device: '/dev/vdb', mountpoint: '/mnt/data disk', fstype: 'ext4', readonly: true },
      { device: 'files.example:/export', mountpoint: '/mnt/nfs', fstype: 'nfs4', readonly: false },
    ]);
  });

  it('drops tmpfs, squashfs snaps, container layers, nsfs and kernel trees', () => {
    expect(parseMounts(fixture('no-psi', 'proc/self/mounts')).map((m) => m.mountpoint)).toEqual(['/', '/boot', '/srv/data']);
  });

  it('keeps overlay only as a container root', () => {
    const mounts = parseMounts(fixture('container-v2', 'proc/self/mounts'));
    expect(mounts.map((m) => [m.mountpoint, m.fstype])).toEqual([
      ['/', 'overlay'],
      ['/data', 'ext4'],
      ['/etc/hosts', 'ext4'],
    ]);
    expect(parseMounts('overlay /mnt/merged overlay rw 0 0\n')).toEqual([]);
  });

  it('deduplicates by mount point, the last mount (the visible one) winning', () => {
    const text = '/dev/sda1 /data ext4 rw 0 0\n/dev/sdb1 /srv xfs rw 0 0\n/dev/sdc1 /data xfs ro 0 0\n';
    expect(parseMounts(text)).toEqual([
      { device: '/dev/sdc1', mountpoint: '/data', fstype: 'xfs', readonly: true },
      { device: '/dev/sdb1', mountpoint: '/srv', fstype: 'xfs', readonly: false },
    ]);
  });

  it('ignores prefixes precisely: /devices is not /dev', () => {
    const text = ['/dev/a /devices ext4 rw 0 0', '/dev/b /dev/x ext4 rw 0 0', '/dev/c /run/credentials/u.service ext4 rw 0 0', '/dev/d /snap/x ext4 rw 0 0'].join('\n');
    expect(parseMounts(text).map((m) => m.mountpoint)).toEqual(['/devices']);
  });

  it('unescapes space, tab, newline and backslash', () => {
    expect(unescapeMountPath('/mnt/a\\040b\\011c\\012d\\134e')).toBe('/mnt/a b\tc\nd\\e');
    expect(unescapeMountPath('/mnt/\\04x')).toBe('/mnt/\\04x');
  });
});

describe('parseNetDev', () => {
  it('reads receive and transmit counters per interface', () => {
    const nets = parseNetDev(fixture('host', 'proc/net/dev'));
    expect(nets.map((n) => n.device)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(nets[3]).toEqual({
      device: 'eth0',
      receiveBytes: 425893435,
      receivePackets: 14617,
      receiveErrs: 0,
      receiveDrop: 0,
      transmitBytes: 1176283,
      transmitPackets: 10257,
      transmitErrs: 0,
      transmitDrop: 0,
    });
  });

  it('reads a counter touching the colon', () => {
    const nets = parseNetDev(fixture('no-psi', 'proc/net/dev'));
    expect(nets.map((n) => n.device)).toEqual(['ens3', 'lo', 'docker0']);
    expect(nets[0]!.receiveDrop).toBe(213);
    expect(parseNetDev('eth1:425893435 1 2 3 0 0 0 0 9 8 7 6 0 0 0 0')[0]).toMatchObject({ receiveBytes: 425893435, transmitBytes: 9, transmitDrop: 6 });
  });
});

describe('parseSockstat', () => {
  it('reads protocol fields from sockstat and sockstat6', () => {
    const v4 = parseSockstat(fixture('host', 'proc/net/sockstat'));
    expect(v4.sockets).toEqual({ used: 75 });
    expect(v4.TCP).toEqual({ inuse: 37, orphan: 0, tw: 12, alloc: 40, mem: 0 });
    expect(parseSockstat(fixture('host', 'proc/net/sockstat6')).TCP6).toEqual({ inuse: 2 });
  });
});

describe('parseTcpStates', () => {
  it('counts sockets by state', () => {
    expect({ ...parseTcpStates(fixture('host', 'proc/net/tcp')).counts }).toEqual({ listen: 11, established: 1, time_wait: 7 });
    expect({ ...parseTcpStates(fixture('host', 'proc/net/tcp6')).counts }).toEqual({ listen: 2 });
    expect({ ...parseTcpStates(fixture('no-psi', 'proc/net/tcp')).counts }).toEqual({ listen: 2, established: 1, close_wait: 1 });
  });

  it('passes on truncation and skips unknown states', () => {
    const states = parseTcpStates('  sl st\n   0: 0:0 0:0 0C x\n   1: 0:0 0:0 0b x\n', true);
    expect({ ...states.counts }).toEqual({ closing: 1 });
    expect(states.truncated).toBe(true);
  });
});

describe('parsePressure', () => {
  it('reads the some and full totals in seconds', () => {
    expect(parsePressure(fixture('host', 'proc/pressure/cpu'))).toEqual({ someSeconds: 142.201781, fullSeconds: 0 });
    expect(parsePressure(fixture('host', 'proc/pressure/io'))).toEqual({ someSeconds: 11.239148, fullSeconds: 9.618402 });
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n')).toEqual({ someSeconds: 0.000005, fullSeconds: undefined });
  });

  it('is null without PSI lines', () => {
    expect(parsePressure('')).toBeNull();
    expect(parsePressure('some avg10=1.00\n')).toBeNull();
  });
});

describe('parseFileNr and parseLoadavg', () => {
  it('read the fixtures', () => {
    expect(parseFileNr(fixture('host', 'proc/sys/fs/file-nr'))).toEqual({ allocated: 745, maximum: 2466103 });
    expect(parseLoadavg(fixture('host', 'proc/loadavg'))).toEqual({ load1: 1.2, load5: 0.76, load15: 0.7, threadsRunning: 2, threadsTotal: 220 });
    expect(parseLoadavg('0.00 0.01 0.05 oops 1')).toEqual({ load1: 0, load5: 0.01, load15: 0.05, threadsRunning: undefined, threadsTotal: undefined });
    expect(parseFileNr('1 2')).toBeNull();
    expect(parseLoadavg('1.0 -2 3')).toBeNull();
  });
});

describe('parsePidStat', () => {
  it('reads a process', () => {
    expect(parsePidStat(fixture('host', 'proc/2237/stat'))).toEqual({
      pid: 2237,
      comm: 'redis-server',
      state: 'S',
      cpuSeconds: 2.4,
      numThreads: 5,
      rssBytes: 1709 * 4096,
      startTicks: 3565,
    });
    expect(parsePidStat(fixture('host', 'proc/2217/stat'), 16384)?.rssBytes).toBe(7368 * 16384);
  });

  it('takes the name up to the last parenthesis, spaces and parentheses included', () => {
    expect(parsePidStat(fixture('host', 'proc/4242/stat'))).toMatchObject({ pid: 4242, comm: 'my app) S (1', state: 'S', cpuSeconds: 2.4, numThreads: 5 });
    expect(parsePidStat(fixture('host', 'proc/10/stat'))).toMatchObject({ comm: 'kworker/0:0H-events_highpri', state: 'I', rssBytes: 0 });
  });

  it('bounds and cleans the name, and rejects malformed lines', () => {
    const rest = ' S 1 1 1 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 0 7';
    expect(parsePidStat(`9 (${'x'.repeat(100)})${rest}`)?.comm).toBe('x'.repeat(64));
    expect(parsePidStat(`9 (a\u001b[2Jb)${rest}`)?.comm).toBe('a?[2Jb');
    expect(parsePidStat(`9 (short)${rest}`)).toMatchObject({ cpuSeconds: 0.3, rssBytes: 7 * 4096 });
    expect(parsePidStat(`9 (short) S 1 1`)).toBeNull();
    expect(parsePidStat(`x (short)${rest}`)).toBeNull();
    expect(parsePidStat(`9 short${rest}`)).toBeNull();
    expect(parsePidStat(`9 (a) SS${rest.slice(2)}`)).toBeNull();
  });
});

describe('cgroup parsers', () => {
  it('reads a hybrid v1 membership', () => {
    const m = parseCgroupMembership(fixture('host', 'proc/self/cgroup'));
    expect(m.unifiedPath).toBe('/');
    expect(m.controllers.memory).toBe('/pulseboard/5f0c2a9e');
    expect(m.controllers.cpuacct).toBe('/');
    expect(m.controllers['name=systemd']).toBe('/');
  });

  it('splits combined controllers and refuses unsafe paths', () => {
    const m = parseCgroupMembership('4:cpu,cpuacct:/docker/abc\n3:memory:/../../etc\n2:blkio:relative\n0::/x\n');
    expect({ ...m.controllers }).toEqual({ cpu: '/docker/abc', cpuacct: '/docker/abc' });
    expect(m.unifiedPath).toBe('/x');
  });

  it('reads v2 files in the kernel formats', () => {
    expect(parseFlatKeyed(fixture('container-v2', 'sys/fs/cgroup/cpu.stat'))).toMatchObject({ usage_usec: 737017623, throttled_usec: 4821337, 'core_sched.force_idle_usec': 0 });
    expect(parseCgroupValue(fixture('container-v2', 'sys/fs/cgroup/memory.max'))).toBe(536870912);
    expect(parseCgroupValue('max\n')).toBe(Infinity);
    expect(parseIoStat(fixture('container-v2', 'sys/fs/cgroup/io.stat'))).toEqual({ readBytes: 104857600 + 4096, writtenBytes: 52428800 + 8192 });
  });

  it('reads v1 files', () => {
    expect(parseCgroupValue(fixture('host', 'sys/fs/cgroup/cpuacct/cpuacct.usage'))).toBe(846484507217);
    expect(parseFlatKeyed(fixture('host', 'sys/fs/cgroup/cpu/cpu.stat')).throttled_time).toBe(0);
    expect(parseBlkioServiceBytes('8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:16 Read 10\nTotal 12298\n')).toEqual({ readBytes: 4106, writtenBytes: 8192 });
  });
});
