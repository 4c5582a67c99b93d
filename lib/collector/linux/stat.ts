import { fieldsOf, forEachLine, parseCount } from './text';

/** Clock ticks per second in /proc/stat and /proc/<pid>/stat: USER_HZ, 100 on x86, arm and every other architecture Node.js runs on. */
export const USER_HZ = 100;

/** The CPU modes node_exporter reports, in /proc/stat column order (guest time is already inside user). */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** One of CPU_MODES: the `mode` label of node_cpu_seconds_total. */
export type CpuMode = (typeof CPU_MODES)[number];

/** Seconds spent in each mode since boot. */
export type CpuSeconds = Record<CpuMode, number>;

/** What Pulseboard keeps from /proc/stat. Each figure is undefined when its line is missing or malformed. */
export interface ProcStat {
  /** The aggregate `cpu` line: every cpu summed. */
  total: CpuSeconds | undefined;
  /** One entry per `cpuN` line, in file order; `cpu` is N as a string, the node_exporter label. */
  cpus: Array<{ cpu: string; seconds: CpuSeconds }>;
  contextSwitches: number | undefined;
  /** Forks since boot (the `processes` line). */
  forks: number | undefined;
  procsRunning: number | undefined;
  procsBlocked: number | undefined;
  /** Boot time, seconds since the epoch. */
  bootTime: number | undefined;
}

// A 1,024-cpu host has 1,026 short lines before `intr`; anything beyond is not a cpu line.
const MAX_LINES = 2_048;
const MAX_CPUS = 1_024;

function cpuSeconds(fields: string[]): CpuSeconds | undefined {
  const seconds = {} as CpuSeconds;
  for (let i = 0; i < CPU_MODES.length; i++) {
    const raw = fields[i + 1];
    // Kernels before 2.6.11 print fewer columns: user, nice, system and idle are always there.
    if (raw === undefined && i >= 4) {
      seconds[CPU_MODES[i]!] = 0;
      continue;
    }
    const ticks = parseCount(raw);
    if (ticks === undefined) return undefined;
    seconds[CPU_MODES[i]!] = ticks / USER_HZ;
  }
  return seconds;
}

/**
 * Parses /proc/stat: per-cpu time per mode in seconds (jiffies / USER_HZ), context switches,
 * forks, running and blocked tasks, and boot time. Malformed lines and duplicate cpus are skipped.
 */
export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = {
    total: undefined,
    cpus: [],
    contextSwitches: undefined,
    forks: undefined,
    procsRunning: undefined,
    procsBlocked: undefined,
    bootTime: undefined,
  };
  const seen = new Set<string>();
  forEachLine(text, MAX_LINES, (line) => {
    if (line.startsWith('cpu')) {
      const fields = fieldsOf(line);
      const name = fields[0]!;
      const seconds = cpuSeconds(fields);
      if (!seconds) return;
      if (name === 'cpu') {
        out.total ??= seconds;
        return;
      }
      const n = name.slice(3);
      if (parseCount(n) === undefined || n.length > 5 || seen.has(n) || out.cpus.length >= MAX_CPUS) return;
      seen.add(n);
      out.cpus.push({ cpu: String(Number(n)), seconds });
      return;
    }
    const fields = fieldsOf(line);
    if (fields.length !== 2) return;
    const value = parseCount(fields[1]);
    if (value === undefined) return;
    switch (fields[0]) {
      case 'ctxt':
        out.contextSwitches = value;
        break;
      case 'processes':
        out.forks = value;
        break;
      case 'procs_running':
        out.procsRunning = value;
        break;
      case 'procs_blocked':
        out.procsBlocked = value;
        break;
      case 'btime':
        out.bootTime = value;
        break;
    }
  });
  return out;
}
