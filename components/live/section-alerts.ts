import type { SectionId } from '@/lib/dashboard';
import type { LiveState } from './live-store';

/** A filesystem this full, or a disk this busy, is called out on its section's heading. */
export const FULL_RATIO = 0.9;
export const BUSY_RATIO = 0.9;
// Points older than this are not news (a device gone, a target removed).
const FRESH_MS = 60_000;
const NAMES_SHOWN = 3;

const list = (names: string[]) => (names.length > NAMES_SHOWN ? `${names.slice(0, NAMES_SHOWN).join(', ')} and ${names.length - NAMES_SHOWN} more` : names.join(', '));

/**
 * What is wrong, per section, from the newest values held: filesystems nearly full, disks busy,
 * interfaces dropping packets or erring, scrape targets down. One short sentence each.
 */
export function sectionAlerts(state: Pick<LiveState, 'series'>): Map<SectionId, string> {
  const full: string[] = [];
  const busy: string[] = [];
  const dropping = new Set<string>();
  const down: string[] = [];
  let newest = 0;
  for (const s of state.series.values()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? 0);
  for (const s of state.series.values()) {
    const last = s.points.at(-1);
    if (!last || last[0] < newest - FRESH_MS) continue;
    const { name, labels } = s.meta;
    const v = last[1];
    if (name === 'host_filesystem_used_ratio' && v >= FULL_RATIO) full.push(`${labels.mountpoint ?? '?'} ${Math.round(v * 100)} % full`);
    else if (name === 'host_disk_io_utilization_ratio' && v >= BUSY_RATIO) busy.push(`${labels.device ?? '?'} ${Math.round(v * 100)} % busy`);
    else if ((name === 'host_network_drops_per_second' || name === 'host_network_errors_per_second') && v > 0) dropping.add(labels.device ?? '?');
    else if (name === 'up' && v === 0) down.push(`${labels.job ?? ''} ${labels.instance ?? ''}`.trim());
  }
  const out = new Map<SectionId, string>();
  if (full.length > 0) out.set('filesystems', list(full.sort()));
  if (busy.length > 0) out.set('disks', list(busy.sort()));
  if (dropping.size > 0) out.set('network', `${list([...dropping].sort())} dropping packets or erring`);
  if (down.length > 0) out.set('targets', `${down.length} ${down.length === 1 ? 'target' : 'targets'} down: ${list(down.sort())}`);
  return out;
}
