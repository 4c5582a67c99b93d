import { fieldsOf, forEachLine, isPlainName, parseCount } from './text';

/** One block device's counters from /proc/diskstats. */
export interface DiskStat {
  device: string;
  readsCompleted: number;
  readBytes: number;
  writesCompleted: number;
  writtenBytes: number;
  /** Time the device had I/O in flight, seconds: its utilisation once differentiated. */
  ioTimeSeconds: number;
}

/**
 * node_exporter's default device exclusion: partitions, ram, zram, loop and floppy devices.
 * Whole disks (sda, vda, nvme0n1), device-mapper (dm-0) and md arrays are kept.
 */
export const DISK_EXCLUDE = /^(?:z?ram|loop|fd|(?:[hsv]|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

// Sectors in /proc/diskstats are always 512 bytes, whatever the device's own sector size.
const SECTOR_BYTES = 512;
const MAX_LINES = 4_096;
const MAX_DEVICES = 256;

/**
 * Parses /proc/diskstats (14, 18 or 20 columns, by kernel version) into per-device counters,
 * skipping devices matching DISK_EXCLUDE, malformed lines and repeated names; at most 256 devices.
 */
export function parseDiskstats(text: string): DiskStat[] {
  const out: DiskStat[] = [];
  const seen = new Set<string>();
  forEachLine(text, MAX_LINES, (line) => {
    const f = fieldsOf(line);
    if (f.length < 14) return;
    const device = f[2]!;
    if (!isPlainName(device, 64) || DISK_EXCLUDE.test(device) || seen.has(device)) return;
    const reads = parseCount(f[3]);
    const sectorsRead = parseCount(f[5]);
    const writes = parseCount(f[7]);
    const sectorsWritten = parseCount(f[9]);
    const ioMs = parseCount(f[12]);
    if (reads === undefined || sectorsRead === undefined || writes === undefined || sectorsWritten === undefined || ioMs === undefined) return;
    seen.add(device);
    out.push({
      device,
      readsCompleted: reads,
      readBytes: sectorsRead * SECTOR_BYTES,
      writesCompleted: writes,
      writtenBytes: sectorsWritten * SECTOR_BYTES,
      ioTimeSeconds: ioMs / 1000,
    });
    return out.length < MAX_DEVICES;
  });
  return out;
}
