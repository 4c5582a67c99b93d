import { parseBlkioServiceBytes, parseCgroupValue, parseFlatKeyed, parseIoStat, V1_UNLIMITED, type CgroupMembership } from './cgroup';
import type { RootReader } from './read';

/** This container's own figures, as cAdvisor would report them; undefined where the cgroup file is missing. */
export interface ContainerUsage {
  cpuSeconds: number | undefined;
  throttledSeconds: number | undefined;
  memoryBytes: number | undefined;
  /** Undefined when the cgroup has no memory limit. */
  memoryLimitBytes: number | undefined;
  readBytes: number | undefined;
  writtenBytes: number | undefined;
}

/**
 * Which cgroup version carries this process's controllers: v1 when /proc/self/cgroup names a
 * cpuacct or memory controller (a hybrid host counts as v1: its unified tree has no controllers),
 * v2 when there is only the `0::` line, null with neither.
 */
export function cgroupVersion(membership: CgroupMembership): 1 | 2 | null {
  if ('cpuacct' in membership.controllers || 'memory' in membership.controllers) return 1;
  return membership.unifiedPath === undefined ? null : 2;
}

/**
 * Whether Pulseboard runs in a container: `/.dockerenv` or `/run/.containerenv` under the root, the
 * `container` environment variable (systemd-nspawn, podman), or a cgroup v2 path other than `/`.
 * Outside one, the cgroup is the host's (or a systemd unit's on v1) and container_* series would lie.
 */
export function detectContainer(reader: RootReader, env: Readonly<Record<string, string | undefined>>, membership: CgroupMembership): boolean {
  if (reader.exists('.dockerenv') || reader.exists('run/.containerenv')) return true;
  if (env.container) return true;
  return cgroupVersion(membership) === 2 && membership.unifiedPath !== '/';
}

function readV2(reader: RootReader, path: string): ContainerUsage {
  const dir = `sys/fs/cgroup${path === '/' ? '' : path}`;
  const read = (file: string) => reader.text(`${dir}/${file}`);
  const cpu = read('cpu.stat');
  const stat = cpu === null ? undefined : parseFlatKeyed(cpu);
  const current = read('memory.current');
  const max = read('memory.max');
  const io = read('io.stat');
  const ioSums = io === null ? undefined : parseIoStat(io);
  const limit = max === null ? undefined : parseCgroupValue(max);
  return {
    cpuSeconds: stat?.usage_usec === undefined ? undefined : stat.usage_usec / 1e6,
    throttledSeconds: stat?.throttled_usec === undefined ? undefined : stat.throttled_usec / 1e6,
    memoryBytes: current === null ? undefined : parseCgroupValue(current),
    memoryLimitBytes: limit === undefined || !Number.isFinite(limit) ? undefined : limit,
    readBytes: ioSums?.readBytes,
    writtenBytes: ioSums?.writtenBytes,
  };
}

function readV1(reader: RootReader, controllers: Record<string, string>): ContainerUsage {
  // The controller's own path first; inside a container that path may not exist under the
  // container's cgroup mount, whose root is then the container's own cgroup.
  const read = (controller: string, file: string): string | null => {
    const path = controllers[controller];
    if (path === undefined) return null;
    const own = path === '/' ? null : reader.text(`sys/fs/cgroup/${controller}${path}/${file}`);
    return own ?? reader.text(`sys/fs/cgroup/${controller}/${file}`);
  };
  const usage = read('cpuacct', 'cpuacct.usage');
  const cpuNs = usage === null ? undefined : parseCgroupValue(usage);
  const cpuStat = read('cpu', 'cpu.stat');
  const throttledNs = cpuStat === null ? undefined : parseFlatKeyed(cpuStat).throttled_time;
  const memory = read('memory', 'memory.usage_in_bytes');
  const limitText = read('memory', 'memory.limit_in_bytes');
  const limit = limitText === null ? undefined : parseCgroupValue(limitText);
  const blkio = read('blkio', 'blkio.throttle.io_service_bytes_recursive') ?? read('blkio', 'blkio.throttle.io_service_bytes');
  const io = blkio === null ? undefined : parseBlkioServiceBytes(blkio);
  return {
    cpuSeconds: cpuNs === undefined ? undefined : cpuNs / 1e9,
    throttledSeconds: throttledNs === undefined ? undefined : throttledNs / 1e9,
    memoryBytes: memory === null ? undefined : parseCgroupValue(memory),
    memoryLimitBytes: limit === undefined || limit >= V1_UNLIMITED ? undefined : limit,
    readBytes: io?.readBytes,
    writtenBytes: io?.writtenBytes,
  };
}

/** Reads this process's cgroup figures from cgroup v2 or v1 files under the root; null with no cgroup at all. */
export function readContainerUsage(reader: RootReader, membership: CgroupMembership): ContainerUsage | null {
  const version = cgroupVersion(membership);
  if (version === 2) return readV2(reader, membership.unifiedPath!);
  if (version === 1) return readV1(reader, membership.controllers);
  return null;
}
