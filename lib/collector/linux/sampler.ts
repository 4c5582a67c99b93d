import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseCgroupMembership, type CgroupMembership } from './cgroup';
import { detectContainer, readContainerUsage } from './container';
import { parseDiskstats, type DiskStat } from './diskstats';
import { parseFileNr } from './filenr';
import { parseLoadavg } from './loadavg';
import { MEMINFO_SERIES, parseMeminfo } from './meminfo';
import { parseMounts } from './mounts';
import { parseNetDev, type NetDevStat } from './netdev';
import { DEFAULT_PAGE_SIZE, parsePidStat, type PidStat } from './pidstat';
import { parsePressure } from './pressure';
import { createProcessTracker, listPids, MAX_PIDS, type ProcessTracker } from './processes';
import { createRootReader, type RootReader } from './read';
import { parseSockstat, SOCKSTAT_SERIES } from './sockstat';
import { CPU_MODES, parseProcStat, type CpuSeconds } from './stat';
import { ALWAYS_TCP_STATES, parseTcpStates } from './tcp';
import type { HostSample, StatfsResult } from './types';

/** Options of createLinuxSampler; every one has a default fit for a host. */
export interface LinuxSamplerOptions {
  /** Prefix of every path read: `/` (default), a fixture tree in tests, `/host` when the host's root is mounted there. */
  root?: string;
  /** Process names published by CPU share (default 10, at most 100). */
  topProcesses?: number;
  /** Process names published by resident memory (default 10, at most 100). */
  topMemoryProcesses?: number;
  /** Bytes per page for /proc/<pid>/stat's rss (default 4096). */
  pageSize?: number;
  /** statfs(2) of a mount point, given its path under `root`; default fs.statfsSync. Null or a throw skips the mount. */
  statfs?: (path: string) => StatfsResult | null;
  /** Filesystem types never passed to statfs: a dead server blocks the call (default nfs, nfs4, cifs, smb3, fuse.sshfs). */
  skipStatfsTypes?: readonly string[];
  /** The environment read for `container` (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A monotonic clock in milliseconds (default performance.now). */
  now?: () => number;
  /** Byte cap on each of /proc/net/tcp and tcp6 (default 256 KiB). */
  maxTcpBytes?: number;
  /**
   * Whether to count TCP connection states (default true). Reading /proc/net/tcp walks the kernel's
   * whole socket hash table, sized by RAM rather than by connections: the costliest source here.
   */
  tcpStates?: boolean;
  /**
   * TCP states are counted every this many samples (default 10), the counts of the last time
   * published in between: /proc/net/tcp costs ~2 ms a read here, more on bigger hosts.
   */
  tcpEvery?: number;
  /** Processes are read every this many samples (default 5; their CPU shares cover the time since the last read): ~2 ms a read for 100 processes. */
  processEvery?: number;
  /** Most pids read per tick (default and ceiling 32,768; 0 turns process figures off). */
  maxPids?: number;
  /** A statfs slower than this, in milliseconds, marks its mount as hanging: it is not asked again (default 1,000). */
  slowStatfsMs?: number;
}

/** A Linux host sampler: call `sample()` once per collector tick. */
export interface LinuxSampler {
  /**
   * Reads every source once and returns node_exporter-named series, container_* series when in a
   * container, and the derived host_* gauges (rates need the previous call's readings). A source that
   * cannot be read is left out; the rest of the tick stands.
   */
  sample(): HostSample[];
  /** What the latest `sample()` skipped or cut short, e.g. `proc/pressure/io: unreadable`; at most 32 notes. */
  issues(): readonly string[];
}

// Network and FUSE filesystems: statfs(2) on one whose server is gone blocks, and it runs on the
// server's thread. Their size is the remote's business (scrape its exporter).
const DEFAULT_SKIP_STATFS = ['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ceph', 'glusterfs', '9p', 'virtiofs', 'afs', 'lustre', 'gpfs', 'fuse', 'fuseblk'];
// About 1,700 sockets a file: past it the states are undercounted (said in issues()), while
// node_sockstat_* keep the totals. Parsed on the server's thread: megabytes of TIME_WAIT lines
// (a host that just served a load test) held /api/health up for tens of milliseconds.
const DEFAULT_MAX_TCP_BYTES = 256 * 1024;
// Disks, interfaces and filesystems published per tick: the first 64 of each by name, so a host
// with hundreds of veth pairs or volumes cannot flood the dashboard.
const MAX_PER_KIND = 64;
const MAX_ISSUES = 32;
const SLOW_STATFS_MS = 1_000;
const MAX_AVOIDED_MOUNTS = 64;

const defaultStatfs = (path: string): StatfsResult => fs.statfsSync(path);

// Interfaces containers and overlays make, one or more per pod or container.
// linear: one anchored alternation of literals.
const VIRTUAL_INTERFACE = /^(?:veth|cali|docker|br-|virbr|lxc|flannel|cni|vxlan|tun|tap|kube|weave|cilium|gke)/;
const byName = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** (next − previous) / seconds for a counter, or undefined without a previous value, elapsed time or on a reset. */
function rate(previous: number | undefined, next: number, seconds: number | undefined): number | undefined {
  if (previous === undefined || seconds === undefined || seconds <= 0 || next < previous) return undefined;
  return (next - previous) / seconds;
}

/** Busy share of a cpu between two readings: 1 − (idle + iowait) / total, undefined on a reset or no elapsed time. */
function busyRatio(previous: CpuSeconds | undefined, next: CpuSeconds): number | undefined {
  if (!previous) return undefined;
  let total = 0;
  for (const mode of CPU_MODES) total += next[mode] - previous[mode];
  const idle = next.idle + next.iowait - (previous.idle + previous.iowait);
  if (total <= 0 || idle < 0 || next.idle < previous.idle) return undefined;
  return Math.min(1, Math.max(0, 1 - idle / total));
}

const clampRatio = (v: number | undefined) => (v === undefined ? undefined : Math.min(1, Math.max(0, v)));

/**
 * A sampler of this Linux host from /proc and /sys, read directly (no child processes), publishing
 * node_exporter's series names and labels so dashboards and alerts written for it work unchanged.
 * Null when `<root>/proc/stat` cannot be read, i.e. not Linux or no procfs.
 */
export function createLinuxSampler(options: LinuxSamplerOptions = {}): LinuxSampler | null {
  const reader = createRootReader(options.root ?? '/');
  const first = reader.text('proc/stat');
  if (first === null) return null;
  const initial = parseProcStat(first);
  if (!initial.total && initial.cpus.length === 0) return null;

  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const statfs = options.statfs ?? defaultStatfs;
  const skipStatfs = new Set(options.skipStatfsTypes ?? DEFAULT_SKIP_STATFS);
  const now = options.now ?? (() => performance.now());
  const maxTcpBytes = options.tcpStates === false ? 0 : (options.maxTcpBytes ?? DEFAULT_MAX_TCP_BYTES);
  const maxPids = Math.min(MAX_PIDS, Math.max(0, options.maxPids ?? MAX_PIDS));
  const tracker = createProcessTracker(
    Math.min(100, Math.max(0, options.topProcesses ?? 10)),
    Math.min(100, Math.max(0, options.topMemoryProcesses ?? 10)),
  );
  // Which cgroup this process is in, and whether it is a container, does not change while it runs.
  const cgroupText = reader.text('proc/self/cgroup');
  const membership = parseCgroupMembership(cgroupText ?? '');
  const inContainer = cgroupText !== null && detectContainer(reader, options.env ?? process.env, membership);
  const avoidedMounts = new Set<string>();
  const slowStatfsMs = options.slowStatfsMs ?? SLOW_STATFS_MS;

  let previousAt: number | undefined;
  let previousCpu: Map<string, CpuSeconds> | undefined;
  let previousDisks: Map<string, DiskStat> | undefined;
  let previousNet: Map<string, NetDevStat> | undefined;
  let issues: string[] = [];
  const tcpEvery = Math.max(1, Math.floor(options.tcpEvery ?? 10));
  let tick = 0;
  let tcpCounts: Map<string, number> | undefined;
  const processEvery = Math.max(1, Math.floor(options.processEvery ?? 5));
  let processesAt: number | undefined;

  const sample = (): HostSample[] => {
    const at = now();
    const elapsed = previousAt === undefined ? undefined : (at - previousAt) / 1000;
    previousAt = at;
    const out: HostSample[] = [];
    const noted: string[] = [];
    issues = noted;
    const note = (message: string) => {
      if (noted.length < MAX_ISSUES) noted.push(message);
    };
    const put = (name: string, value: number | undefined, type: HostSample['type'], labels?: Record<string, string>) => {
      if (value === undefined || !Number.isFinite(value)) return;
      out.push(labels ? { name, labels, value, type } : { name, value, type });
    };
    const counter = (name: string, value: number | undefined, labels?: Record<string, string>) => put(name, value, 'counter', labels);
    const gauge = (name: string, value: number | undefined, labels?: Record<string, string>) => put(name, value, 'gauge', labels);
    const read = (relative: string): string | null => {
      const text = reader.text(relative);
      if (text === null) note(`${relative}: unreadable`);
      return text;
    };

    // Each source on its own: whatever one of them throws, the others still make the tick.
    const guard = <T>(source: string, run: () => T): T | undefined => {
      try {
        return run();
      } catch (err) {
        note(`${source}: ${err instanceof Error ? err.message.slice(0, 200) : 'failed'}`);
        return undefined;
      }
    };

    previousCpu = guard('proc/stat', () => sampleStat(read('proc/stat'), previousCpu, counter, gauge));
    guard('proc/loadavg', () => sampleLoad(read('proc/loadavg'), gauge));
    guard('proc/meminfo', () => sampleMemory(read('proc/meminfo'), gauge));
    previousDisks = guard('proc/diskstats', () => sampleDisks(read('proc/diskstats'), previousDisks, elapsed, counter, gauge));
    guard('filesystems', () => sampleFilesystems(reader, { statfs, skip: skipStatfs, avoided: avoidedMounts, slowMs: slowStatfsMs }, note, gauge));
    previousNet = guard('proc/net/dev', () => sampleNetwork(read('proc/net/dev'), previousNet, elapsed, counter, gauge));
    const countTcp = tick++ % tcpEvery === 0 || tcpCounts === undefined;
    guard('sockets', () => {
      tcpCounts = sampleSockets(reader, countTcp ? maxTcpBytes : 0, note, gauge) ?? (countTcp ? undefined : tcpCounts);
      for (const [state, n] of tcpCounts ?? []) gauge('node_tcp_connection_states', n, { state });
    });
    guard('pressure', () => samplePressure(reader, note, counter));
    guard('proc/sys/fs/file-nr', () => {
      const fileNr = parseFileNr(read('proc/sys/fs/file-nr') ?? '');
      gauge('node_filefd_allocated', fileNr?.allocated);
      gauge('node_filefd_maximum', fileNr?.maximum);
    });
    if ((tick - 1) % processEvery === 0) {
      const since = processesAt === undefined ? undefined : (at - processesAt) / 1000;
      processesAt = at;
      guard('processes', () => sampleProcesses(reader, maxPids, pageSize, tracker, since, gauge));
    }
    if (inContainer) guard('cgroup', () => sampleContainer(reader, membership, counter, gauge));
    return out;
  };

  return { sample, issues: () => issues };
}

type Put = (name: string, value: number | undefined, labels?: Record<string, string>) => void;

function sampleStat(text: string | null, previous: Map<string, CpuSeconds> | undefined, counter: Put, gauge: Put): Map<string, CpuSeconds> | undefined {
  if (text === null) return undefined;
  const stat = parseProcStat(text);
  const next = new Map<string, CpuSeconds>();
  for (const { cpu, seconds } of stat.cpus) {
    for (const mode of CPU_MODES) counter('node_cpu_seconds_total', seconds[mode], { cpu, mode });
    gauge('host_cpu_core_utilization_ratio', busyRatio(previous?.get(cpu), seconds), { cpu });
    next.set(cpu, seconds);
  }
  // The aggregate line; summed per-cpu lines stand in if a kernel ever left it out.
  const total =
    stat.total ??
    (stat.cpus.length === 0
      ? undefined
      : (Object.fromEntries(CPU_MODES.map((m) => [m, stat.cpus.reduce((sum, c) => sum + c.seconds[m], 0)])) as CpuSeconds));
  if (total) {
    // `cpu ` is not a valid cpu label, so the aggregate cannot collide with a core.
    gauge('host_cpu_utilization_ratio', busyRatio(previous?.get('cpu '), total));
    next.set('cpu ', total);
  }
  counter('node_context_switches_total', stat.contextSwitches);
  counter('node_forks_total', stat.forks);
  gauge('node_procs_running', stat.procsRunning);
  gauge('node_procs_blocked', stat.procsBlocked);
  gauge('node_boot_time_seconds', stat.bootTime);
  return next;
}

function sampleLoad(text: string | null, gauge: Put): void {
  const load = parseLoadavg(text ?? '');
  if (!load) return;
  gauge('node_load1', load.load1);
  gauge('node_load5', load.load5);
  gauge('node_load15', load.load15);
  gauge('host_load_average', load.load1, { period: '1m' });
  gauge('host_load_average', load.load5, { period: '5m' });
  gauge('host_load_average', load.load15, { period: '15m' });
}

function sampleMemory(text: string | null, gauge: Put): void {
  if (text === null) return;
  const mem = parseMeminfo(text);
  for (const [field, series] of MEMINFO_SERIES) gauge(series, mem[field]);
  const total = mem.MemTotal;
  // Kernels before 3.14 have no MemAvailable: free plus reclaimable page cache is what `free` showed then.
  const available =
    mem.MemAvailable ?? (mem.MemFree !== undefined && mem.Cached !== undefined ? mem.MemFree + mem.Cached + (mem.Buffers ?? 0) : undefined);
  gauge('host_memory_total_bytes', total);
  gauge('host_memory_available_bytes', available);
  if (total !== undefined && available !== undefined) gauge('host_memory_used_bytes', Math.max(0, total - available));
  if (mem.SwapTotal !== undefined && mem.SwapFree !== undefined) gauge('host_swap_used_bytes', Math.max(0, mem.SwapTotal - mem.SwapFree));
}

function sampleDisks(
  text: string | null,
  previous: Map<string, DiskStat> | undefined,
  elapsed: number | undefined,
  counter: Put,
  gauge: Put,
): Map<string, DiskStat> | undefined {
  if (text === null) return undefined;
  // Past the cap, whole disks before device-mapper volumes.
  const disks = parseDiskstats(text)
    .sort((a, b) => Number(a.device.startsWith('dm-')) - Number(b.device.startsWith('dm-')) || byName((d: DiskStat) => d.device)(a, b))
    .slice(0, MAX_PER_KIND)
    .sort(byName((d) => d.device));
  const next = new Map<string, DiskStat>();
  for (const d of disks) {
    const labels = { device: d.device };
    counter('node_disk_reads_completed_total', d.readsCompleted, labels);
    counter('node_disk_read_bytes_total', d.readBytes, labels);
    counter('node_disk_writes_completed_total', d.writesCompleted, labels);
    counter('node_disk_written_bytes_total', d.writtenBytes, labels);
    counter('node_disk_io_time_seconds_total', d.ioTimeSeconds, labels);
    const before = previous?.get(d.device);
    gauge('host_disk_read_bytes_per_second', rate(before?.readBytes, d.readBytes, elapsed), labels);
    gauge('host_disk_written_bytes_per_second', rate(before?.writtenBytes, d.writtenBytes, elapsed), labels);
    gauge('host_disk_io_utilization_ratio', clampRatio(rate(before?.ioTimeSeconds, d.ioTimeSeconds, elapsed)), labels);
    next.set(d.device, d);
  }
  return next;
}

interface StatfsPolicy {
  statfs: (path: string) => StatfsResult | null;
  /** Filesystem types never asked. */
  skip: ReadonlySet<string>;
  /** Mount points that were slow once, never asked again. */
  avoided: Set<string>;
  slowMs: number;
}

function sampleFilesystems(reader: RootReader, { statfs, skip, avoided, slowMs }: StatfsPolicy, note: (message: string) => void, gauge: Put): void {
  const text = reader.text('proc/self/mounts') ?? reader.text('proc/1/mounts');
  if (text === null) {
    note('proc/self/mounts: unreadable');
    return;
  }
  const mounts = parseMounts(text)
    .filter((m) => !skip.has(m.fstype) && !m.fstype.startsWith('fuse.'))
    .sort(byName((m) => m.mountpoint))
    .slice(0, MAX_PER_KIND);
  for (const m of mounts) {
    if (avoided.has(m.mountpoint)) {
      note(`statfs ${m.mountpoint}: skipped, it was slow`);
      continue;
    }
    const started = performance.now();
    let st: StatfsResult | null;
    try {
      st = statfs(reader.resolve(m.mountpoint));
    } catch {
      st = null;
    }
    // statfs is synchronous: it cannot be cut short, but a mount that hung once is not asked again.
    if (performance.now() - started > slowMs && avoided.size < MAX_AVOIDED_MOUNTS) avoided.add(m.mountpoint);
    if (!st) {
      note(`statfs ${m.mountpoint}: failed`);
      continue;
    }
    const labels = { device: m.device, fstype: m.fstype, mountpoint: m.mountpoint };
    const size = st.blocks * st.bsize;
    const avail = st.bavail * st.bsize;
    gauge('node_filesystem_size_bytes', size, labels);
    gauge('node_filesystem_avail_bytes', avail, labels);
    gauge('node_filesystem_free_bytes', st.bfree * st.bsize, labels);
    gauge('node_filesystem_files', st.files, labels);
    gauge('node_filesystem_files_free', st.ffree, labels);
    gauge('node_filesystem_readonly', m.readonly ? 1 : 0, labels);
    if (size > 0) gauge('host_filesystem_used_ratio', clampRatio(1 - avail / size), labels);
  }
}

function sampleNetwork(
  text: string | null,
  previous: Map<string, NetDevStat> | undefined,
  elapsed: number | undefined,
  counter: Put,
  gauge: Put,
): Map<string, NetDevStat> | undefined {
  if (text === null) return undefined;
  // Past the cap, the host's own interfaces first: a node with hundreds of veth/cali pairs keeps eth0.
  const interfaces = parseNetDev(text)
    .sort((a, b) => Number(VIRTUAL_INTERFACE.test(a.device)) - Number(VIRTUAL_INTERFACE.test(b.device)) || byName((n: NetDevStat) => n.device)(a, b))
    .slice(0, MAX_PER_KIND)
    .sort(byName((n) => n.device));
  const next = new Map<string, NetDevStat>();
  for (const n of interfaces) {
    const labels = { device: n.device };
    counter('node_network_receive_bytes_total', n.receiveBytes, labels);
    counter('node_network_receive_packets_total', n.receivePackets, labels);
    counter('node_network_receive_errs_total', n.receiveErrs, labels);
    counter('node_network_receive_drop_total', n.receiveDrop, labels);
    counter('node_network_transmit_bytes_total', n.transmitBytes, labels);
    counter('node_network_transmit_packets_total', n.transmitPackets, labels);
    counter('node_network_transmit_errs_total', n.transmitErrs, labels);
    counter('node_network_transmit_drop_total', n.transmitDrop, labels);
    const b = previous?.get(n.device);
    gauge('host_network_receive_bytes_per_second', rate(b?.receiveBytes, n.receiveBytes, elapsed), labels);
    gauge('host_network_transmit_bytes_per_second', rate(b?.transmitBytes, n.transmitBytes, elapsed), labels);
    const rxDrop = rate(b?.receiveDrop, n.receiveDrop, elapsed);
    const txDrop = rate(b?.transmitDrop, n.transmitDrop, elapsed);
    if (rxDrop !== undefined && txDrop !== undefined) gauge('host_network_drops_per_second', rxDrop + txDrop, labels);
    const rxErrs = rate(b?.receiveErrs, n.receiveErrs, elapsed);
    const txErrs = rate(b?.transmitErrs, n.transmitErrs, elapsed);
    if (rxErrs !== undefined && txErrs !== undefined) gauge('host_network_errors_per_second', rxErrs + txErrs, labels);
    next.set(n.device, n);
  }
  return next;
}

/** Sockstat figures, and with `maxTcpBytes` > 0 the TCP connection counts by state (sorted), for the caller to publish. */
function sampleSockets(reader: RootReader, maxTcpBytes: number, note: (message: string) => void, gauge: Put): Map<string, number> | undefined {
  const v4 = reader.text('proc/net/sockstat');
  if (v4 === null) note('proc/net/sockstat: unreadable');
  const stats = { ...parseSockstat(v4 ?? ''), ...parseSockstat(reader.text('proc/net/sockstat6') ?? '') };
  for (const [protocol, field] of SOCKSTAT_SERIES) gauge(`node_sockstat_${protocol}_${field}`, stats[protocol]?.[field]);

  if (maxTcpBytes <= 0) return undefined;
  const counts = new Map<string, number>();
  let read = false;
  for (const file of ['proc/net/tcp', 'proc/net/tcp6']) {
    const capped = reader.capped(file, maxTcpBytes, 1_024);
    if (!capped) continue;
    read = true;
    const states = parseTcpStates(capped.text, capped.truncated);
    if (states.truncated) note(`${file}: truncated at ${maxTcpBytes} bytes, connection states undercounted`);
    for (const [state, n] of Object.entries(states.counts)) counts.set(state, (counts.get(state) ?? 0) + n);
  }
  if (!read) {
    note('proc/net/tcp: unreadable');
    return undefined;
  }
  for (const state of ALWAYS_TCP_STATES) if (!counts.has(state)) counts.set(state, 0);
  return new Map([...counts].sort(byName(([s]) => s)));
}

function samplePressure(reader: RootReader, note: (message: string) => void, counter: Put): void {
  const read = (resource: string) => {
    const text = reader.text(`proc/pressure/${resource}`);
    if (text === null) note(`proc/pressure/${resource}: unreadable (no PSI)`);
    return text === null ? null : parsePressure(text);
  };
  const cpu = read('cpu');
  counter('node_pressure_cpu_waiting_seconds_total', cpu?.someSeconds);
  const memory = read('memory');
  counter('node_pressure_memory_waiting_seconds_total', memory?.someSeconds);
  counter('node_pressure_memory_stalled_seconds_total', memory?.fullSeconds);
  const io = read('io');
  counter('node_pressure_io_waiting_seconds_total', io?.someSeconds);
  counter('node_pressure_io_stalled_seconds_total', io?.fullSeconds);
}

function sampleProcesses(
  reader: RootReader,
  maxPids: number,
  pageSize: number,
  tracker: ProcessTracker,
  elapsed: number | undefined,
  gauge: Put,
): void {
  const pids = listPids(reader.resolve('proc'), maxPids);
  const stats: PidStat[] = [];
  for (const pid of pids) {
    // A process can exit between the listing and this read: it is simply not counted.
    const text = reader.text(`proc/${pid}/stat`, 4_096, 1_024);
    const stat = text === null ? null : parsePidStat(text, pageSize);
    if (stat) stats.push(stat);
  }
  // Called even with nothing read, so the next tick's deltas do not span two intervals.
  const tick = tracker(stats, elapsed);
  if (stats.length === 0) return;
  gauge('node_processes_pids', tick.pids);
  gauge('node_processes_threads', tick.threads);
  for (const [state, n] of [...tick.states].sort(byName(([s]) => s))) gauge('node_processes_state', n, { state });
  for (const g of tick.topCpu) gauge('host_process_cpu_usage_ratio', g.value, { process: g.name });
  for (const g of tick.topRss) gauge('host_process_resident_memory_bytes', g.value, { process: g.name });
}

function sampleContainer(reader: RootReader, membership: CgroupMembership, counter: Put, gauge: Put): void {
  const usage = readContainerUsage(reader, membership);
  if (!usage) return;
  counter('container_cpu_usage_seconds_total', usage.cpuSeconds);
  counter('container_cpu_cfs_throttled_seconds_total', usage.throttledSeconds);
  gauge('container_memory_usage_bytes', usage.memoryBytes);
  gauge('container_spec_memory_limit_bytes', usage.memoryLimitBytes);
  counter('container_fs_reads_bytes_total', usage.readBytes);
  counter('container_fs_writes_bytes_total', usage.writtenBytes);
}
