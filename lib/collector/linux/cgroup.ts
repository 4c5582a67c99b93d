import { fieldsOf, forEachLine, parseCount } from './text';

/** This process's cgroups from /proc/self/cgroup. */
export interface CgroupMembership {
  /** The path of the `0::` line (cgroup v2, or the unified tree of a hybrid host). */
  unifiedPath: string | undefined;
  /** v1 controller → path, one entry per controller of a line such as `2:cpu,cpuacct:/docker/abc`. */
  controllers: Record<string, string>;
}

const MAX_LINES = 64;
const MAX_PATH = 1_024;
const CONTROLLER = /^[a-z_][a-z0-9_=]{0,31}$/;

/** A cgroup path Pulseboard is willing to join to a directory: absolute, bounded, no `..` segments. */
function safePath(path: string): boolean {
  return path.startsWith('/') && path.length <= MAX_PATH && !path.split('/', MAX_PATH).includes('..');
}

/** Parses /proc/self/cgroup (`hierarchy:controllers:path` per line). Lines with unsafe paths are skipped. */
export function parseCgroupMembership(text: string): CgroupMembership {
  const out: CgroupMembership = { unifiedPath: undefined, controllers: Object.create(null) as Record<string, string> };
  forEachLine(text, MAX_LINES, (line) => {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) return;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (parseCount(hierarchy) === undefined || !safePath(path)) return;
    if (hierarchy === '0' && controllers === '') {
      out.unifiedPath ??= path;
      return;
    }
    for (const c of controllers.split(',', 16)) if (CONTROLLER.test(c) && !(c in out.controllers)) out.controllers[c] = path;
  });
  return out;
}

/** Parses a flat-keyed cgroup file (`usage_usec 737017623` per line, v2 cpu.stat or v1 cpu.stat) into key → value. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  forEachLine(text, MAX_LINES, (line) => {
    const f = fieldsOf(line);
    const value = parseCount(f[1]);
    if (f.length === 2 && value !== undefined && /^[a-z_.]{1,64}$/.test(f[0]!)) out[f[0]!] ??= value;
  });
  return out;
}

/** Parses a one-number cgroup file (memory.current, cpuacct.usage); `max` (v2's no-limit) as Infinity. */
export function parseCgroupValue(text: string): number | undefined {
  let out: number | undefined;
  forEachLine(text, 1, (line) => {
    const token = line.trim();
    out = token === 'max' ? Infinity : parseCount(token);
  });
  return out;
}

/** A v1 memory limit at or above 2^60 bytes is the kernel's "no limit" (it prints a page-rounded 2^63). */
export const V1_UNLIMITED = 2 ** 60;

/** Bytes read and written through a cgroup, summed over its devices. */
export interface CgroupIo {
  readBytes: number;
  writtenBytes: number;
}

/** Parses v2 io.stat (`254:0 rbytes=1 wbytes=2 rios=…` per device), summing rbytes and wbytes. */
export function parseIoStat(text: string): CgroupIo {
  const out: CgroupIo = { readBytes: 0, writtenBytes: 0 };
  forEachLine(text, 1_024, (line) => {
    const f = fieldsOf(line);
    for (let i = 1; i < f.length && i < 32; i++) {
      const field = f[i]!;
      if (field.startsWith('rbytes=')) out.readBytes += parseCount(field.slice(7)) ?? 0;
      else if (field.startsWith('wbytes=')) out.writtenBytes += parseCount(field.slice(7)) ?? 0;
    }
  });
  return out;
}

/** Parses v1 blkio.throttle.io_service_bytes(_recursive) (`8:0 Read 4096` per device and operation), summing Read and Write. */
export function parseBlkioServiceBytes(text: string): CgroupIo {
  const out: CgroupIo = { readBytes: 0, writtenBytes: 0 };
  forEachLine(text, 8_192, (line) => {
    const f = fieldsOf(line);
    if (f.length !== 3) return;
    const value = parseCount(f[2]) ?? 0;
    if (f[1] === 'Read') out.readBytes += value;
    else if (f[1] === 'Write') out.writtenBytes += value;
  });
  return out;
}
