/**
 * Pulseboard's Linux host sampler: node_exporter-named series read straight from /proc and /sys,
 * plus the parsers it is built from (text in, plain data out) for reuse and tests.
 */
export { createLinuxSampler, type LinuxSampler, type LinuxSamplerOptions } from './sampler';
export type { HostSample, StatfsResult } from './types';
export { parseProcStat, CPU_MODES, USER_HZ, type CpuMode, type CpuSeconds, type ProcStat } from './stat';
export { parseMeminfo, meminfoFieldName, MEMINFO_SERIES } from './meminfo';
export { parseDiskstats, DISK_EXCLUDE, type DiskStat } from './diskstats';
export { parseMounts, unescapeMountPath, IGNORED_FSTYPES, type MountEntry } from './mounts';
export { parseNetDev, type NetDevStat } from './netdev';
export { parseSockstat, SOCKSTAT_SERIES } from './sockstat';
export { parseTcpStates, TCP_STATES, ALWAYS_TCP_STATES, type TcpStates } from './tcp';
export { parsePressure, type Pressure } from './pressure';
export { parseFileNr, type FileNr } from './filenr';
export { parseLoadavg, type LoadAvg } from './loadavg';
export { parsePidStat, DEFAULT_PAGE_SIZE, type PidStat } from './pidstat';
export {
  parseCgroupMembership,
  parseFlatKeyed,
  parseCgroupValue,
  parseIoStat,
  parseBlkioServiceBytes,
  V1_UNLIMITED,
  type CgroupMembership,
  type CgroupIo,
} from './cgroup';
export { cgroupVersion, detectContainer, readContainerUsage, type ContainerUsage } from './container';
export { listPids, createProcessTracker, MAX_PIDS, type ProcessGroup, type ProcessTick, type ProcessTracker } from './processes';
export { readCapped, createRootReader, DEFAULT_MAX_BYTES, type CappedText, type RootReader } from './read';
