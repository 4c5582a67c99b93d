import { fieldsOf, forEachLine } from './text';

/** A mounted filesystem from /proc/self/mounts, paths unescaped. */
export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
  readonly: boolean;
}

/**
 * Filesystem types that hold no disk space worth charting: kernel interfaces, memory-backed
 * filesystems (tmpfs, devtmpfs and ramfs flood small hosts with near-empty mounts) and read-only
 * images. `overlay` is kept only as `/`, where it is a container's root filesystem.
 */
export const IGNORED_FSTYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'erofs',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/** Kernel trees: the mount point itself and everything under it is skipped. */
const IGNORED_TREES = ['/dev', '/proc', '/sys'];
/** Runtime-managed mounts (container layers, snaps, systemd credentials): everything under these. */
const IGNORED_PREFIXES = ['/run/credentials/', '/var/lib/docker/', '/var/lib/containers/storage/', '/snap/'];

// A label longer than this is not a path anyone charts; such mounts are skipped rather than cut.
const MAX_PATH = 256;
const MAX_LINES = 4_096;

/** Undoes the kernel's octal escapes in /proc/*\/mounts: `\040` space, `\011` tab, `\012` newline, `\134` backslash. */
export function unescapeMountPath(raw: string): string {
  return raw.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

function ignoredMountpoint(mountpoint: string): boolean {
  for (const tree of IGNORED_TREES) if (mountpoint === tree || mountpoint.startsWith(`${tree}/`)) return true;
  for (const prefix of IGNORED_PREFIXES) if (mountpoint.startsWith(prefix)) return true;
  return false;
}

/**
 * Parses /proc/self/mounts (or /proc/1/mounts) into the real filesystems: IGNORED_FSTYPES and
 * kernel or runtime mount points dropped, one entry per mount point (the last mounted, which is the
 * one visible there, in the place of the first). At most 4,096 lines are read.
 */
export function parseMounts(text: string): MountEntry[] {
  const byMountpoint = new Map<string, MountEntry>();
  forEachLine(text, MAX_LINES, (line) => {
    const f = fieldsOf(line);
    if (f.length < 4) return;
    const [rawDevice, rawMountpoint, fstype, options] = f as [string, string, string, string];
    const device = unescapeMountPath(rawDevice);
    const mountpoint = unescapeMountPath(rawMountpoint);
    if (!mountpoint.startsWith('/') || mountpoint.length > MAX_PATH || device.length > MAX_PATH || fstype.length > 64) return;
    if (IGNORED_FSTYPES.has(fstype) && !(fstype === 'overlay' && mountpoint === '/')) return;
    if (ignoredMountpoint(mountpoint)) return;
    byMountpoint.set(mountpoint, { device, mountpoint, fstype, readonly: options.split(',', 64).includes('ro') });
  });
  return [...byMountpoint.values()];
}
