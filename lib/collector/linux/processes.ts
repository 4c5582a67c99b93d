import fs from 'node:fs';
import type { PidStat } from './pidstat';

/** Most pids read in one tick: past this a host is better served by a dedicated process exporter. */
export const MAX_PIDS = 32_768;

/**
 * The pids under `procDir`: its all-digit entries, at most `max`, read lazily so a host with a
 * million tasks costs no more than `max` entries. An empty list when the directory is unreadable.
 */
export function listPids(procDir: string, max: number = MAX_PIDS): number[] {
  const pids: number[] = [];
  let dir: fs.Dir;
  try {
    dir = fs.opendirSync(procDir);
  } catch {
    return pids;
  }
  try {
    // /proc lists about 60 named entries before the pids.
    for (let i = 0; i < max + 1_024 && pids.length < max; i++) {
      const entry = dir.readSync();
      if (entry === null) break;
      if (/^\d{1,10}$/.test(entry.name)) pids.push(Number(entry.name));
    }
  } catch {
    // A racing exit or an unreadable /proc ends the walk; what was read stands.
  } finally {
    dir.closeSync();
  }
  return pids;
}

/** A process name's figure: CPU share of one core, or resident bytes, summed over its pids. */
export interface ProcessGroup {
  name: string;
  value: number;
}

/** What one tick of process readings adds up to. */
export interface ProcessTick {
  pids: number;
  threads: number;
  /** State letter → processes in it. */
  states: Map<string, number>;
  /** Names by CPU share since the previous tick, busiest first; empty on the first tick. */
  topCpu: ProcessGroup[];
  /** Names by resident memory, largest first; kernel threads (no memory) left out. */
  topRss: ProcessGroup[];
}

/** Folds one tick's /proc/<pid>/stat readings, with the seconds since the previous tick (undefined on the first). */
export type ProcessTracker = (stats: readonly PidStat[], elapsedSeconds: number | undefined) => ProcessTick;

const byValueThenName = (a: ProcessGroup, b: ProcessGroup) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Turns each tick's /proc/<pid>/stat readings into per-name figures. Processes are grouped by
 * name (comm), as process-exporter does, so the number of series follows the names running, not
 * the pids. A pid's CPU counts from its second reading; a pid reused by another process (different
 * start time) starts over. Only the pids of the latest tick are remembered.
 */
export function createProcessTracker(topCpu: number, topRss: number): ProcessTracker {
  let previous = new Map<number, { startTicks: number; cpuSeconds: number }>();
  return (stats: readonly PidStat[], elapsedSeconds: number | undefined): ProcessTick => {
    const next = new Map<number, { startTicks: number; cpuSeconds: number }>();
    const cpu = new Map<string, number>();
    const rss = new Map<string, number>();
    const states = new Map<string, number>();
    let threads = 0;
    for (const s of stats) {
      if (next.has(s.pid)) continue;
      next.set(s.pid, { startTicks: s.startTicks, cpuSeconds: s.cpuSeconds });
      threads += s.numThreads;
      states.set(s.state, (states.get(s.state) ?? 0) + 1);
      rss.set(s.comm, (rss.get(s.comm) ?? 0) + s.rssBytes);
      const before = previous.get(s.pid);
      if (before && before.startTicks === s.startTicks && s.cpuSeconds >= before.cpuSeconds) {
        cpu.set(s.comm, (cpu.get(s.comm) ?? 0) + (s.cpuSeconds - before.cpuSeconds));
      }
    }
    previous = next;
    const cpuGroups: ProcessGroup[] = [];
    if (elapsedSeconds !== undefined && elapsedSeconds > 0) {
      for (const [name, seconds] of cpu) cpuGroups.push({ name, value: seconds / elapsedSeconds });
    }
    const rssGroups: ProcessGroup[] = [];
    for (const [name, bytes] of rss) if (bytes > 0) rssGroups.push({ name, value: bytes });
    return {
      pids: next.size,
      threads,
      states,
      topCpu: cpuGroups.sort(byValueThenName).slice(0, topCpu),
      topRss: rssGroups.sort(byValueThenName).slice(0, topRss),
    };
  };
}
