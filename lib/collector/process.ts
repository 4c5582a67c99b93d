import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface ProcessReading {
  cpuSecondsTotal: number;
  /** Share of one core used by this process since the previous reading. */
  cpuRatio: number | undefined;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Median and 99th percentile of how late the event loop ran a timer since the previous reading. */
  loopDelayP50Seconds: number;
  loopDelayP99Seconds: number;
  loopUtilisation: number | undefined;
}

// 10 ms resolution: fine enough to see a 20 ms stall, cheap enough to leave on.
const RESOLUTION_MS = 10;

/**
 * Event-loop delay in seconds from a histogram value in nanoseconds. The monitor records the time
 * between runs of its own 10 ms timer, so an idle loop reads 10.1 ms: the delay is what lies
 * beyond the interval.
 */
const delayBeyondTimer = (ns: number): number => Math.max(0, ns - RESOLUTION_MS * 1e6) / 1e9;

/** Samples this process's CPU, memory and event loop. `stop()` disables the delay monitor. */
export function createProcessSampler(): { read: () => ProcessReading; stop: () => void } {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
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
      // The histogram reads 0 until it has samples.
      loopDelayP50Seconds: delay.count > 0 ? delayBeyondTimer(delay.percentile(50)) : 0,
      loopDelayP99Seconds: delay.count > 0 ? delayBeyondTimer(delay.percentile(99)) : 0,
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
