import { fieldsOf, forEachLine, parseCount, parseDecimal } from './text';

/** /proc/loadavg: load averages and scheduling entities (threads) runnable and existing. */
export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  threadsRunning: number | undefined;
  threadsTotal: number | undefined;
}

/** Parses /proc/loadavg (`0.80 0.81 0.73 1/140 14986`); null unless the three averages are numbers. */
export function parseLoadavg(text: string): LoadAvg | null {
  let out: LoadAvg | null = null;
  forEachLine(text, 1, (line) => {
    const f = fieldsOf(line);
    const load1 = parseDecimal(f[0]);
    const load5 = parseDecimal(f[1]);
    const load15 = parseDecimal(f[2]);
    if (load1 === undefined || load5 === undefined || load15 === undefined) return;
    const slash = f[3]?.indexOf('/') ?? -1;
    const running = slash > 0 ? parseCount(f[3]!.slice(0, slash)) : undefined;
    const total = slash > 0 ? parseCount(f[3]!.slice(slash + 1)) : undefined;
    out = { load1, load5, load15, threadsRunning: running, threadsTotal: running === undefined ? undefined : total };
  });
  return out;
}
