import os from 'node:os';

interface CpuTimes {
  busy: number;
  total: number;
}

function times(cpu: os.CpuInfo): CpuTimes {
  const { user, nice, sys, idle, irq } = cpu.times;
  const total = user + nice + sys + idle + irq;
  return { busy: total - idle, total };
}

function utilisation(prev: CpuTimes | undefined, next: CpuTimes): number | undefined {
  if (!prev) return undefined;
  const total = next.total - prev.total;
  // Counters can stall between two reads on an idle core; report nothing rather than 0/0.
  if (total <= 0) return undefined;
  return Math.min(1, Math.max(0, (next.busy - prev.busy) / total));
}

export interface CpuReading {
  total: number | undefined;
  perCore: Array<number | undefined>;
}

/** Host CPU utilisation since the previous call, total and per core, from `os.cpus()` deltas. */
export function createCpuSampler(): () => CpuReading {
  let previous: CpuTimes[] = [];
  return () => {
    const current = os.cpus().map(times);
    const perCore = current.map((c, i) => utilisation(previous[i], c));
    const sum = (list: CpuTimes[]) =>
      list.reduce((acc, c) => ({ busy: acc.busy + c.busy, total: acc.total + c.total }), { busy: 0, total: 0 });
    const total = previous.length === current.length ? utilisation(sum(previous), sum(current)) : undefined;
    previous = current;
    return { total, perCore };
  };
}
