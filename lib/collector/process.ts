import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface ProcessReading {
  cpuSecondsTotal: number;
  /** Share of one core used by this process since the previous reading. */
  cpuRatio: number | undefined;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  loopDelayP50Seconds: number;
  loopDelayP99Seconds: number;
  loopUtilisation: number | undefined;
}

/** Samples this process's CPU, memory and event loop. `stop()` disables the delay monitor. */
export function createProcessSampler(): { read: () => ProcessReading; stop: () => void } {
  // 10 ms resolution: fine enough to see a 20 ms stall, cheap enough to leave on.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  const read = (): ProcessReading => {
    const cpu = process.cpuUsage();
    const now = performance.now();
    const elapsedUs = (now - lastAt) * 1000;
    const usedUs = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    const elu = performance.eventLoopUtilization(lastElu);
    const mem = process.memoryUsage();
    const reading: ProcessReading = {
      cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
      cpuRatio: elapsedUs > 0 ? usedUs / elapsedUs : undefined,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      // The histogram is in nanoseconds, and reads 0 until it has samples.
      loopDelayP50Seconds: (delay.count > 0 ? delay.percentile(50) : 0) / 1e9,
      loopDelayP99Seconds: (delay.count > 0 ? delay.percentile(99) : 0) / 1e9,
      loopUtilisation: Number.isFinite(elu.utilization) ? elu.utilization : undefined,
    };
    delay.reset();
    lastCpu = cpu;
    lastAt = now;
    lastElu = performance.eventLoopUtilization();
    return reading;
  };
  return { read, stop: () => delay.disable() };
}
