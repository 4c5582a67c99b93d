import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessTracker } from './processes';
import { createLinuxSampler, type LinuxSamplerOptions } from './sampler';
import type { HostSample, StatfsResult } from './types';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A writable copy of a fixture root, for a second reading with bumped counters. */
function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulseboard-linux-${name}-`));
  tmpDirs.push(dir);
  fs.cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

const edit = (root: string, file: string, change: (text: string) => string) => {
  const target = path.join(root, file);
  fs.writeFileSync(target, change(fs.readFileSync(target, 'utf8')));
};

const STATFS: StatfsResult = { bsize: 4096, blocks: 1000, bavail: 250, bfree: 300, files: 100, ffree: 40 };
const statfs = (p: string): StatfsResult | null => {
  if (p.endsWith('/mnt/nfs')) throw new Error('an NFS mount must not be asked');
  return STATFS;
};

/** Successive readings of a fake monotonic clock, in milliseconds. */
const clock = (...ms: number[]) => {
  let i = 0;
  return () => ms[Math.min(i++, ms.length - 1)]!;
};

function sampler(root: string, options: LinuxSamplerOptions = {}) {
  const s = createLinuxSampler({ root, statfs, env: {}, processEvery: 1, tcpEvery: 1, ...options });
  if (!s) throw new Error(`no sampler for ${root}`);
  return s;
}

const matches = (s: HostSample, name: string, labels?: Record<string, string>) =>
  s.name === name && Object.entries(labels ?? {}).every(([k, v]) => s.labels?.[k] === v);
const all = (samples: HostSample[], name: string, labels?: Record<string, string>) => samples.filter((s) => matches(s, name, labels));
function value(samples: HostSample[], name: string, labels?: Record<string, string>): number | undefined {
  const found = all(samples, name, labels);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}
const names = (samples: HostSample[]) => new Set(samples.map((s) => s.name));

describe('createLinuxSampler on the host fixture (Debian container, PSI, cgroup v1 hybrid)', () => {
  const samples = sampler(fixture('host')).sample();

  it('publishes cpu time per cpu and mode, and the /proc/stat counters', () => {
    expect(all(samples, 'node_cpu_seconds_total')).toHaveLength(16);
    expect(all(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })).toEqual([
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: 317.35, type: 'counter' },
    ]);
    expect(value(samples, 'node_cpu_seconds_total', { cpu: '1', mode: 'steal' })).toBe(0.66);
    expect(all(samples, 'node_context_switches_total')).toEqual([{ name: 'node_context_switches_total', value: 3447086, type: 'counter' }]);
    expect(value(samples, 'node_forks_total')).toBe(16704);
    expect(value(samples, 'node_procs_running')).toBe(1);
    expect(value(samples, 'node_procs_blocked')).toBe(0);
    expect(value(samples, 'node_boot_time_seconds')).toBe(1796294865);
    expect([value(samples, 'node_load1'), value(samples, 'node_load5'), value(samples, 'node_load15')]).toEqual([1.2, 0.76, 0.7]);
    expect(all(samples, 'host_load_average').map((s) => [s.labels?.period, s.value])).toEqual([
      ['1m', 1.2],
      ['5m', 0.76],
      ['15m', 0.7],
    ]);
  });

  it('publishes the chosen meminfo fields under node_exporter names', () => {
    const memory = samples.filter((s) => s.name.startsWith('node_memory_'));
    expect(memory).toHaveLength(29);
    expect(memory.every((s) => s.type === 'gauge')).toBe(true);
    expect(value(samples, 'node_memory_MemTotal_bytes')).toBe(24683664 * 1024);
    expect(value(samples, 'node_memory_MemAvailable_bytes')).toBe(23478516 * 1024);
    expect(value(samples, 'node_memory_Active_anon_bytes')).toBe(26256 * 1024);
    expect(value(samples, 'node_memory_HugePages_Total')).toBe(0);
    expect(value(samples, 'node_memory_Hugepagesize_bytes')).toBe(2048 * 1024);
    expect(value(samples, 'node_memory_VmallocTotal_bytes')).toBeUndefined();
    expect(value(samples, 'host_memory_total_bytes')).toBe(24683664 * 1024);
    expect(value(samples, 'host_memory_available_bytes')).toBe(23478516 * 1024);
    expect(value(samples, 'host_memory_used_bytes')).toBe((24683664 - 23478516) * 1024);
    expect(value(samples, 'host_swap_used_bytes')).toBe(0);
  });

  it('publishes disks, filesystems and interfaces with node_exporter labels', () => {
    expect(all(samples, 'node_disk_reads_completed_total')).toEqual([
      { name: 'node_disk_reads_completed_total', labels: { device: 'vda' }, value: 135357, type: 'counter' },
    ]);
    expect(value(samples, 'node_disk_read_bytes_total', { device: 'vda' })).toBe(4621266 * 512);
    expect(value(samples, 'node_disk_writes_completed_total', { device: 'vda' })).toBe(77370);
    expect(value(samples, 'node_disk_written_bytes_total', { device: 'vda' })).toBe(5938880 * 512);
    expect(value(samples, 'node_disk_io_time_seconds_total', { device: 'vda' })).toBe(21.244);

    const root = { device: '/dev/vda', fstype: 'ext4', mountpoint: '/' };
    expect(all(samples, 'node_filesystem_size_bytes', root)).toEqual([{ name: 'node_filesystem_size_bytes', labels: root, value: 4096 * 1000, type: 'gauge' }]);
    expect(value(samples, 'node_filesystem_avail_bytes', root)).toBe(4096 * 250);
    expect(value(samples, 'node_filesystem_free_bytes', root)).toBe(4096 * 300);
    expect(value(samples, 'node_filesystem_files', root)).toBe(100);
    expect(value(samples, 'node_filesystem_files_free', root)).toBe(40);
    expect(value(samples, 'node_filesystem_readonly', root)).toBe(0);
    expect(value(samples, 'host_filesystem_used_ratio', root)).toBe(0.75);
    expect(all(samples, 'node_filesystem_size_bytes').map((s) => s.labels?.mountpoint)).toEqual(['/', '/mnt/data disk']);
    expect(value(samples, 'node_filesystem_readonly', { mountpoint: '/mnt/data disk' })).toBe(1);

    expect(all(samples, 'node_network_receive_bytes_total').map((s) => s.labels?.device)).toEqual(['eth0', 'ifb0', 'ifb1', 'lo']);
    expect(value(samples, 'node_network_receive_bytes_total', { device: 'eth0' })).toBe(425893435);
    expect(value(samples, 'node_network_receive_packets_total', { device: 'eth0' })).toBe(14617);
    expect(value(samples, 'node_network_transmit_bytes_total', { device: 'eth0' })).toBe(1176283);
    expect(value(samples, 'node_network_transmit_packets_total', { device: 'eth0' })).toBe(10257);
    for (const n of ['receive_errs', 'receive_drop', 'transmit_errs', 'transmit_drop']) {
      expect(all(samples, `node_network_${n}_total`), n).toHaveLength(4);
    }
  });

  it('publishes sockets, pressure, file handles and processes', () => {
    expect(all(samples, 'node_tcp_connection_states').map((s) => [s.labels?.state, s.value])).toEqual([
      ['close_wait', 0],
      ['established', 1],
      ['listen', 13],
      ['time_wait', 7],
    ]);
    expect(value(samples, 'node_sockstat_sockets_used')).toBe(75);
    expect(value(samples, 'node_sockstat_TCP_inuse')).toBe(37);
    expect(value(samples, 'node_sockstat_TCP_tw')).toBe(12);
    expect(value(samples, 'node_sockstat_TCP6_inuse')).toBe(2);

    expect(all(samples, 'node_pressure_cpu_waiting_seconds_total')).toEqual([
      { name: 'node_pressure_cpu_waiting_seconds_total', value: 142.201781, type: 'counter' },
    ]);
    expect(value(samples, 'node_pressure_memory_waiting_seconds_total')).toBe(0);
    expect(value(samples, 'node_pressure_memory_stalled_seconds_total')).toBe(0);
    expect(value(samples, 'node_pressure_io_waiting_seconds_total')).toBe(11.239148);
    expect(value(samples, 'node_pressure_io_stalled_seconds_total')).toBe(9.618402);

    expect(value(samples, 'node_filefd_allocated')).toBe(745);
    expect(value(samples, 'node_filefd_maximum')).toBe(2466103);

    expect(value(samples, 'node_processes_pids')).toBe(7);
    expect(value(samples, 'node_processes_threads')).toBe(15);
    expect(all(samples, 'node_processes_state').map((s) => [s.labels?.state, s.value])).toEqual([
      ['I', 1],
      ['S', 6],
    ]);
    expect(all(samples, 'host_process_resident_memory_bytes').map((s) => [s.labels?.process, s.value])).toEqual([
      ['postgres', (7368 + 7734 + 1885) * 4096],
      ['my app) S (1', 1709 * 4096],
      ['redis-server', 1709 * 4096],
    ]);
  });

  it('publishes cgroup v1 figures as cAdvisor names, with no limit series for an unlimited cgroup', () => {
    expect(all(samples, 'container_cpu_usage_seconds_total')).toEqual([
      { name: 'container_cpu_usage_seconds_total', value: 846.484507217, type: 'counter' },
    ]);
    expect(value(samples, 'container_cpu_cfs_throttled_seconds_total')).toBe(0);
    expect(value(samples, 'container_memory_usage_bytes')).toBe(8744960);
    expect(value(samples, 'container_spec_memory_limit_bytes')).toBeUndefined();
    expect(value(samples, 'container_fs_reads_bytes_total')).toBe(0);
    expect(value(samples, 'container_fs_writes_bytes_total')).toBe(0);
  });

  it('has none of the rate-derived series on its first reading', () => {
    const derived = [
      'host_cpu_utilization_ratio',
      'host_cpu_core_utilization_ratio',
      'host_network_receive_bytes_per_second',
      'host_network_transmit_bytes_per_second',
      'host_network_drops_per_second',
      'host_network_errors_per_second',
      'host_disk_read_bytes_per_second',
      'host_disk_written_bytes_per_second',
      'host_disk_io_utilization_ratio',
      'host_process_cpu_usage_ratio',
    ];
    for (const name of derived) expect(names(samples).has(name), name).toBe(false);
  });

  it('gives every sample a finite value and string labels', () => {
    for (const s of samples) {
      expect(Number.isFinite(s.value), s.name).toBe(true);
      for (const v of Object.values(s.labels ?? {})) expect(typeof v).toBe('string');
    }
  });
});

describe('two readings', () => {
  const root = copyFixture('host');
  const s = sampler(root, { now: clock(10_000, 12_000, 13_000), topProcesses: 3 });
  s.sample();

  edit(root, 'proc/stat', (t) =>
    t
      .replace('cpu  67973 1769 13019 215402 1350 ', 'cpu  68033 1769 13039 215502 1370 ')
      .replace('cpu0 31735 870 5517 111356 217 ', 'cpu0 31795 870 5537 111376 217 ')
      .replace('cpu1 36237 899 7501 104045 1133 ', 'cpu1 36237 899 7501 104125 1153 '),
  );
  edit(root, 'proc/diskstats', (t) => t.replace('vda 135357 16170 4621266 44457 77370 59003 5938880 139899 0 21244 ', 'vda 135400 16170 4623314 44457 77400 59003 5942976 139899 0 21744 '));
  edit(root, 'proc/net/dev', (t) =>
    t
      .replace(/eth0:.*/, 'eth0: 427893435   15617    0    3    0     0          0         0  1376283   10357    2    1    0     0       0          0')
      // lo's receive counters went down: a reset, so no receive rate this time.
      .replace(/lo:.*/, 'lo:     1000      10    0    0    0     0          0         0 13356504   31904    0    0    0     0       0          0'),
  );
  const pid = (n: number, comm: string, utime: number, stime: number, start: number, threads = 1, rss = 0) =>
    `${n} (${comm}) S 1 ${n} ${n} 0 -1 4194304 0 0 0 0 ${utime} ${stime} 0 0 20 0 ${threads} 0 ${start} 1000 ${rss} 18446744073709551615 0 0 0\n`;
  fs.writeFileSync(path.join(root, 'proc/2217/stat'), pid(2217, 'postgres', 51, 3, 3331, 1, 7368));
  fs.writeFileSync(path.join(root, 'proc/2218/stat'), pid(2218, 'postgres', 37, 19, 3335, 1, 7734));
  fs.writeFileSync(path.join(root, 'proc/2237/stat'), pid(2237, 'redis-server', 312, 128, 3565, 5, 1709));
  // 4242 is now another process (another start time): its time is not a delta of the old one.
  fs.writeFileSync(path.join(root, 'proc/4242/stat'), pid(4242, 'my app) S (1', 900, 0, 9999, 1, 10));
  fs.rmSync(path.join(root, 'proc/2219'), { recursive: true });
  fs.mkdirSync(path.join(root, 'proc/5000'));
  fs.writeFileSync(path.join(root, 'proc/5000/stat'), pid(5000, 'node', 500, 0, 20000, 11, 20000));
  const second = s.sample();

  it('derives cpu utilisation, total and per core, from the jiffy deltas', () => {
    expect(value(second, 'host_cpu_utilization_ratio')).toBeCloseTo(0.4, 12);
    expect(value(second, 'host_cpu_core_utilization_ratio', { cpu: '0' })).toBeCloseTo(0.8, 12);
    expect(value(second, 'host_cpu_core_utilization_ratio', { cpu: '1' })).toBe(0);
  });

  it('derives disk and network rates over the 2 s between readings', () => {
    expect(value(second, 'host_disk_read_bytes_per_second', { device: 'vda' })).toBe(524288);
    expect(value(second, 'host_disk_written_bytes_per_second', { device: 'vda' })).toBe(1048576);
    expect(value(second, 'host_disk_io_utilization_ratio', { device: 'vda' })).toBeCloseTo(0.25, 12);
    expect(value(second, 'host_network_receive_bytes_per_second', { device: 'eth0' })).toBe(1e6);
    expect(value(second, 'host_network_transmit_bytes_per_second', { device: 'eth0' })).toBe(1e5);
    expect(value(second, 'host_network_drops_per_second', { device: 'eth0' })).toBe(2);
    expect(value(second, 'host_network_errors_per_second', { device: 'eth0' })).toBe(1);
    expect(value(second, 'host_network_receive_bytes_per_second', { device: 'ifb0' })).toBe(0);
  });

  it('gives no rate for a counter that went down', () => {
    expect(value(second, 'host_network_receive_bytes_per_second', { device: 'lo' })).toBeUndefined();
    expect(value(second, 'host_network_transmit_bytes_per_second', { device: 'lo' })).toBe(0);
    expect(value(second, 'node_network_receive_bytes_total', { device: 'lo' })).toBe(1000);
  });

  it('gives each top process name its share of one core, summed over its pids seen twice', () => {
    const top = all(second, 'host_process_cpu_usage_ratio');
    expect(top.map((x) => x.labels?.process)).toEqual(['redis-server', 'postgres', 'kthreadd']);
    expect(top[0]!.value).toBeCloseTo(1, 12);
    expect(top[1]!.value).toBeCloseTo(0.4, 12);
    expect(top[2]!.value).toBe(0);
    expect(value(second, 'host_process_resident_memory_bytes', { process: 'node' })).toBe(20000 * 4096);
    expect(value(second, 'node_processes_threads')).toBe(1 + 1 + 1 + 1 + 5 + 1 + 11);
  });

  it('gives no cpu or disk rate when the counters went back (a third reading)', () => {
    fs.cpSync(path.join(fixture('host'), 'proc/stat'), path.join(root, 'proc/stat'));
    fs.cpSync(path.join(fixture('host'), 'proc/diskstats'), path.join(root, 'proc/diskstats'));
    const third = s.sample();
    expect(value(third, 'host_cpu_utilization_ratio')).toBeUndefined();
    expect(all(third, 'host_cpu_core_utilization_ratio')).toEqual([]);
    expect(value(third, 'host_disk_read_bytes_per_second', { device: 'vda' })).toBeUndefined();
    expect(value(third, 'host_disk_io_utilization_ratio', { device: 'vda' })).toBeUndefined();
    expect(value(third, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })).toBe(317.35);
    // Network counters did not move in this second: rates of 0 over 1 s.
    expect(value(third, 'host_network_receive_bytes_per_second', { device: 'eth0' })).toBe(0);
  });
});

describe('process tracking', () => {
  const stat = (pid: number, comm: string, cpuSeconds: number, startTicks = 1) => ({ pid, comm, state: 'S', cpuSeconds, numThreads: 1, rssBytes: 0, startTicks });

  it('remembers only the pids of the latest tick', () => {
    const track = createProcessTracker(10, 10);
    track([stat(1, 'a', 1)], undefined);
    expect(track([stat(2, 'b', 1)], 1).topCpu).toEqual([]);
    // Pid 1 was not seen last tick, so its 9 s are not a delta: it counts again from here.
    expect(track([stat(1, 'a', 10), stat(2, 'b', 1.5)], 1).topCpu).toEqual([{ name: 'b', value: 0.5 }]);
  });

  it('bounds the names published', () => {
    const track = createProcessTracker(2, 1);
    const many = Array.from({ length: 50 }, (_, i) => ({ ...stat(i + 1, `p${i}`, 0), rssBytes: 4096 * (i + 1) }));
    track(many, undefined);
    const tick = track(
      many.map((p) => ({ ...p, cpuSeconds: p.pid / 100 })),
      1,
    );
    expect(tick.topCpu.map((g) => g.name)).toEqual(['p49', 'p48']);
    expect(tick.topRss).toEqual([{ name: 'p49', value: 4096 * 50 }]);
  });
});

describe('container detection and cgroups', () => {
  it('reads cgroup v2 files of a container, with its memory limit', () => {
    const samples = sampler(fixture('container-v2')).sample();
    expect(value(samples, 'container_cpu_usage_seconds_total')).toBe(737.017623);
    expect(value(samples, 'container_cpu_cfs_throttled_seconds_total')).toBe(4.821337);
    expect(value(samples, 'container_memory_usage_bytes')).toBe(218103808);
    expect(value(samples, 'container_spec_memory_limit_bytes')).toBe(536870912);
    expect(value(samples, 'container_fs_reads_bytes_total')).toBe(104857600 + 4096);
    expect(value(samples, 'container_fs_writes_bytes_total')).toBe(52428800 + 8192);
    expect(all(samples, 'node_filesystem_size_bytes').map((s) => [s.labels?.mountpoint, s.labels?.fstype])).toEqual([
      ['/', 'overlay'],
      ['/data', 'ext4'],
      ['/etc/hosts', 'ext4'],
    ]);
  });

  it('has no limit series on v2 when memory.max is max', () => {
    const root = copyFixture('container-v2');
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/memory.max'), 'max\n');
    const samples = sampler(root).sample();
    expect(value(samples, 'container_spec_memory_limit_bytes')).toBeUndefined();
    expect(value(samples, 'container_memory_usage_bytes')).toBe(218103808);
  });

  it('falls back to the v1 controller root when the cgroup path is not under it (inside a container)', () => {
    const root = copyFixture('host');
    fs.rmSync(path.join(root, 'sys/fs/cgroup/memory/pulseboard'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/memory/memory.usage_in_bytes'), '123456789\n');
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/memory/memory.limit_in_bytes'), '1073741824\n');
    const samples = sampler(root).sample();
    expect(value(samples, 'container_memory_usage_bytes')).toBe(123456789);
    expect(value(samples, 'container_spec_memory_limit_bytes')).toBe(1073741824);
  });

  it('publishes no container series outside a container', () => {
    const bare = copyFixture('host');
    fs.rmSync(path.join(bare, '.dockerenv'));
    expect(sampler(bare).sample().some((s) => s.name.startsWith('container_'))).toBe(false);
    expect(sampler(fixture('no-psi')).sample().some((s) => s.name.startsWith('container_'))).toBe(false);
  });

  it('takes the container environment variable, or a cgroup v2 path other than /, as a container', () => {
    const bare = copyFixture('host');
    fs.rmSync(path.join(bare, '.dockerenv'));
    expect(value(sampler(bare, { env: { container: 'podman' } }).sample(), 'container_memory_usage_bytes')).toBe(8744960);

    const v2 = copyFixture('container-v2');
    fs.rmSync(path.join(v2, '.dockerenv'));
    expect(value(sampler(v2).sample(), 'container_memory_usage_bytes')).toBeUndefined();
    fs.writeFileSync(path.join(v2, 'proc/self/cgroup'), '0::/system.slice/pulseboard.service\n');
    fs.mkdirSync(path.join(v2, 'sys/fs/cgroup/system.slice/pulseboard.service'), { recursive: true });
    fs.writeFileSync(path.join(v2, 'sys/fs/cgroup/system.slice/pulseboard.service/memory.current'), '4096\n');
    expect(value(sampler(v2).sample(), 'container_memory_usage_bytes')).toBe(4096);
  });
});

describe('an older kernel without PSI or cgroups (no-psi fixture)', () => {
  const s = sampler(fixture('no-psi'));
  const samples = s.sample();

  it('publishes no pressure series and says why', () => {
    expect(samples.some((x) => x.name.startsWith('node_pressure_'))).toBe(false);
    expect(s.issues()).toContain('proc/pressure/cpu: unreadable (no PSI)');
  });

  it('publishes the rest', () => {
    expect(all(samples, 'node_cpu_seconds_total')).toHaveLength(32);
    expect(all(samples, 'node_disk_io_time_seconds_total').map((x) => x.labels?.device)).toEqual(['dm-0', 'nvme0n1', 'sda', 'sr0']);
    expect(all(samples, 'node_filesystem_size_bytes').map((x) => [x.labels?.device, x.labels?.mountpoint])).toEqual([
      ['/dev/mapper/ubuntu--vg-root', '/'],
      ['/dev/sda1', '/boot'],
      ['/dev/nvme0n1p1', '/srv/data'],
    ]);
    expect(value(samples, 'node_network_receive_drop_total', { device: 'ens3' })).toBe(213);
    expect(value(samples, 'host_swap_used_bytes')).toBe((2097148 - 2047484) * 1024);
    expect(all(samples, 'node_tcp_connection_states').map((x) => [x.labels?.state, x.value])).toEqual([
      ['close_wait', 1],
      ['established', 1],
      ['listen', 2],
      ['time_wait', 0],
    ]);
    expect(value(samples, 'node_sockstat_TCP6_inuse')).toBeUndefined();
    expect(all(samples, 'host_process_resident_memory_bytes').map((x) => x.labels?.process)).toEqual(['systemd', 'sshd']);
  });

  it('estimates available memory without MemAvailable (kernels before 3.14)', () => {
    const root = copyFixture('no-psi');
    edit(root, 'proc/meminfo', (t) => t.replace(/^MemAvailable:.*\n/m, ''));
    const old = sampler(root).sample();
    expect(value(old, 'node_memory_MemAvailable_bytes')).toBeUndefined();
    expect(value(old, 'host_memory_available_bytes')).toBe((1621044 + 1719764 + 113372) * 1024);
  });
});

describe('sources that fail', () => {
  it('is null where there is no /proc/stat', () => {
    expect(createLinuxSampler({ root: path.join(FIXTURES, 'nowhere') })).toBeNull();
    const empty = copyFixture('no-psi');
    fs.writeFileSync(path.join(empty, 'proc/stat'), 'garbage\n');
    expect(createLinuxSampler({ root: empty })).toBeNull();
  });

  it('skips only the missing source', () => {
    const root = copyFixture('host');
    fs.rmSync(path.join(root, 'proc/meminfo'));
    fs.rmSync(path.join(root, 'proc/net'), { recursive: true });
    const s = sampler(root);
    const samples = s.sample();
    expect(samples.some((x) => x.name.startsWith('node_memory_'))).toBe(false);
    expect(samples.some((x) => x.name.startsWith('node_network_') || x.name === 'node_tcp_connection_states')).toBe(false);
    expect(value(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'idle' })).toBe(1113.56);
    expect(s.issues()).toEqual(expect.arrayContaining(['proc/meminfo: unreadable', 'proc/net/dev: unreadable', 'proc/net/tcp: unreadable']));
  });

  it('keeps the tick when one statfs throws, and stops asking a mount that was slow', () => {
    let slowCalls = 0;
    const s = sampler(fixture('host'), {
      slowStatfsMs: 5,
      statfs: (p) => {
        if (p.endsWith('disk')) {
          slowCalls++;
          const until = performance.now() + 10;
          while (performance.now() < until) {
            // a hanging mount
          }
          throw new Error('EIO');
        }
        return STATFS;
      },
    });
    const first = s.sample();
    expect(all(first, 'node_filesystem_size_bytes').map((x) => x.labels?.mountpoint)).toEqual(['/']);
    expect(s.issues()).toContain('statfs /mnt/data disk: failed');
    s.sample();
    expect(slowCalls).toBe(1);
    expect(s.issues()).toContain('statfs /mnt/data disk: skipped, it was slow');
  });

  it('survives every file turning to garbage, a 10 MB line or 100,000 lines', () => {
    const root = copyFixture('host');
    const s = sampler(root);
    s.sample();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(root);
    const hugeLine = `cpu0 ${'1'.repeat(10_000_000)}\n`;
    const big = ['proc/stat', 'proc/meminfo', 'proc/net/tcp', 'proc/self/mounts', 'proc/2217/stat'].map((f) => path.join(root, f));
    const contents: Array<[Buffer | string, string[]]> = [
      [Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919) % 256)), files],
      [hugeLine, big],
      ['cpu0 1 2 3 4 5 6 7 8\n'.repeat(100_000), files],
    ];
    for (const [content, targets] of contents) {
      for (const file of targets) fs.writeFileSync(file, content);
      const started = performance.now();
      const samples = s.sample();
      expect(performance.now() - started).toBeLessThan(2_000);
      for (const x of samples) expect(Number.isFinite(x.value), x.name).toBe(true);
    }
  });

  it('caps /proc/net/tcp and says it was truncated', () => {
    const s = sampler(fixture('host'), { maxTcpBytes: 700 });
    const samples = s.sample();
    expect(s.issues()).toContain('proc/net/tcp: truncated at 700 bytes, connection states undercounted');
    // Lines are 150 bytes: the header and three sockets fit in 700; tcp6 (2 listening) is under the cap.
    expect(value(samples, 'node_tcp_connection_states', { state: 'listen' })).toBe(3 + 2);
  });
});
