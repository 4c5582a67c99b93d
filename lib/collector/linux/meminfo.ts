import { fieldsOf, forEachLine, parseCount } from './text';

// /proc/meminfo has about 60 fields; a file claiming hundreds is not the kernel's.
const MAX_LINES = 512;
const MAX_FIELDS = 256;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * node_exporter's name for a meminfo field: `Active(anon)` becomes `Active_anon`. Undefined for a
 * name that would not make a valid metric name.
 */
export function meminfoFieldName(raw: string): string | undefined {
  const name = raw.replaceAll('(', '_').replaceAll(')', '');
  return FIELD_NAME.test(name) ? name : undefined;
}

/**
 * Parses /proc/meminfo into field → value: `kB` values in bytes (×1024), unit-less fields such as
 * HugePages_Total as they are. Lines with another unit, no number, or a bad name are skipped.
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  let count = 0;
  forEachLine(text, MAX_LINES, (line) => {
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    const name = meminfoFieldName(line.slice(0, colon));
    if (name === undefined || name in out) return;
    const fields = fieldsOf(line.slice(colon + 1));
    const value = parseCount(fields[0]);
    if (value === undefined || fields.length > 2) return;
    if (fields.length === 2 && fields[1] !== 'kB') return;
    out[name] = fields.length === 2 ? value * 1024 : value;
    count++;
    return count < MAX_FIELDS;
  });
  return out;
}

/**
 * The meminfo fields Pulseboard publishes and their node_exporter series names: `_bytes` for fields
 * the kernel prints in kB, none for counts. A fixed list so a kernel adding fields adds no series.
 */
export const MEMINFO_SERIES: ReadonlyArray<readonly [field: string, series: string]> = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SwapCached',
  'SwapTotal',
  'SwapFree',
  'Active',
  'Inactive',
  'Active_anon',
  'Inactive_anon',
  'Active_file',
  'Inactive_file',
  'Dirty',
  'Writeback',
  'AnonPages',
  'Mapped',
  'Shmem',
  'Slab',
  'SReclaimable',
  'SUnreclaim',
  'KernelStack',
  'PageTables',
  'Committed_AS',
  'CommitLimit',
  'HugePages_Total',
  'HugePages_Free',
  'Hugepagesize',
].map((field) => [field, field.startsWith('HugePages_') ? `node_memory_${field}` : `node_memory_${field}_bytes`] as const);
