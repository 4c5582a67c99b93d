import { USER_HZ } from './stat';
import { boundLabel, fieldsOf, parseCount } from './text';

/** What Pulseboard keeps from one /proc/<pid>/stat. */
export interface PidStat {
  pid: number;
  /** The process name, at most 64 characters (Linux allows 15), control characters as `?`. */
  comm: string;
  /** One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle kernel thread… */
  state: string;
  /** User plus system CPU time, seconds. */
  cpuSeconds: number;
  numThreads: number;
  rssBytes: number;
  /** Start time in clock ticks after boot: with the pid, tells a reused pid from the same process. */
  startTicks: number;
}

/** Linux's page size on x86-64 and most arm64 kernels; callers on 16 KiB or 64 KiB pages pass theirs. */
export const DEFAULT_PAGE_SIZE = 4_096;

const MAX_COMM = 64;

/**
 * Parses /proc/<pid>/stat. The name sits between the first `(` and the last `)`, since a process can
 * call itself `my app) S (1`; the fields after it are counted from there. Null for anything malformed.
 */
export function parsePidStat(text: string, pageSize: number = DEFAULT_PAGE_SIZE): PidStat | null {
  if (text.length > 4_096) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open <= 0 || close < open) return null;
  const pid = parseCount(text.slice(0, open).trim());
  if (pid === undefined) return null;
  // After the name: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime(14) stime(15) cutime cstime priority nice num_threads(20) itrealvalue starttime(22) vsize rss(24).
  const f = fieldsOf(text.slice(close + 1));
  const state = f[0];
  const utime = parseCount(f[11]);
  const stime = parseCount(f[12]);
  const threads = parseCount(f[17]);
  const start = parseCount(f[19]);
  const rss = parseCount(f[21]);
  if (state === undefined || !/^[A-Za-z]$/.test(state)) return null;
  if (utime === undefined || stime === undefined || threads === undefined || start === undefined || rss === undefined) return null;
  return {
    pid,
    comm: boundLabel(text.slice(open + 1, close), MAX_COMM),
    state,
    cpuSeconds: (utime + stime) / USER_HZ,
    numThreads: threads,
    rssBytes: rss * pageSize,
    startTicks: start,
  };
}
