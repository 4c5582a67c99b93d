import os from 'node:os';
import type { Batch } from '@/lib/bus';
import { toSeriesKey, type Sample } from '@/lib/series';
import { createCpuSampler } from './host';
import { createLinuxSampler } from './linux';
import { createProcessSampler } from './process';

/** Running totals of Pulseboard's own work, read once per tick to derive rates. */
export interface SelfFigures {
  streamsOpen: number;
  seriesCount: number;
  pointsPublishedTotal: number;
  eventsSentTotal: number;
}

export interface CollectorOptions {
  intervalMs: number;
  instance: string;
  /** Most samples in one batch (INGEST_MAX_POINTS): a tick with more publishes several. */
  maxBatch: number;
  /** Receives batches marked `origin: 'collector'`: the series they write are reserved to the collector. */
  publish: (batch: Batch) => Promise<unknown>;
  self: () => SelfFigures;
}

export interface Collector {
  stop(): void;
}

// Series keys remembered between ticks (the host's series, and process names as they come and go).
const KEYS_CACHED = 10_000;

/** Starts publishing host, process and Pulseboard figures every `intervalMs`. */
export function startCollector({ intervalMs, instance, maxBatch, publish, self }: CollectorOptions): Collector {
  // Linux: /proc and /sys in depth, node_exporter's names; elsewhere what node:os gives.
  const linux = createLinuxSampler();
  const cpu = linux ? null : createCpuSampler();
  if (!linux) console.log(`[pulseboard] collector: not Linux (${process.platform}): host figures are CPU, memory and load from node:os only`);
  const proc = createProcessSampler();
  const keys = new Map<string, string>();
  const key = (name: string, labels?: Record<string, string>): string => {
    const id = labels ? `${name}\u0000${JSON.stringify(labels)}` : name;
    let k = keys.get(id);
    if (k === undefined) {
      k = toSeriesKey(name, { ...labels, instance });
      // Bounded: process names come and go.
      if (keys.size >= KEYS_CACHED) keys.clear();
      keys.set(id, k);
    }
    return k;
  };
  cpu?.();
  let previous = self();
  let previousAt = Date.now();

  const tick = () => {
    const t = Date.now();
    const samples: Sample[] = [];
    const add = (name: string, v: number | undefined, labels?: Record<string, string>) => {
      if (v !== undefined && Number.isFinite(v)) samples.push({ series: key(name, labels), t, v });
    };

    if (linux) {
      for (const s of linux.sample()) add(s.name, s.value, s.labels);
    } else if (cpu) {
      const { total, perCore } = cpu();
      add('host_cpu_utilization_ratio', total);
      perCore.forEach((v, i) => add('host_cpu_core_utilization_ratio', v, { cpu: String(i) }));
      const [l1, l5, l15] = os.loadavg();
      add('host_load_average', l1, { period: '1m' });
      add('host_load_average', l5, { period: '5m' });
      add('host_load_average', l15, { period: '15m' });
      const totalMem = os.totalmem();
      const available = os.freemem();
      add('host_memory_used_bytes', totalMem - available);
      add('host_memory_available_bytes', available);
      add('host_memory_total_bytes', totalMem);
    }

    const p = proc.read();
    add('process_cpu_seconds_total', p.cpuSecondsTotal);
    add('process_cpu_usage_ratio', p.cpuRatio);
    add('process_resident_memory_bytes', p.rssBytes);
    add('nodejs_heap_used_bytes', p.heapUsedBytes);
    add('nodejs_heap_total_bytes', p.heapTotalBytes);
    add('nodejs_eventloop_delay_seconds', p.loopDelayP50Seconds, { quantile: '0.5' });
    add('nodejs_eventloop_delay_seconds', p.loopDelayP99Seconds, { quantile: '0.99' });
    add('nodejs_eventloop_utilization_ratio', p.loopUtilisation);

    const now = self();
    const seconds = (t - previousAt) / 1000;
    add('pulseboard_streams_open', now.streamsOpen);
    add('pulseboard_series', now.seriesCount);
    if (seconds > 0) {
      add('pulseboard_ingest_points_per_second', (now.pointsPublishedTotal - previous.pointsPublishedTotal) / seconds);
      add('pulseboard_events_sent_per_second', (now.eventsSentTotal - previous.eventsSentTotal) / seconds);
    }
    previous = now;
    previousAt = t;

    for (let i = 0; i < samples.length; i += maxBatch) {
      publish({ samples: samples.slice(i, i + maxBatch), origin: 'collector' }).catch((err: unknown) => {
        console.error('[pulseboard] collector could not publish:', err);
      });
    }
  };

  // With a live-dashboard interval (seconds), a first reading soon after start, so a fresh server
  // has charts at once (CPU figures need two readings; a quarter second apart is enough for a
  // first estimate). A long interval means the operator chose to wait.
  const first = intervalMs <= 5_000 ? setTimeout(tick, Math.min(250, intervalMs)) : undefined;
  const timer = setInterval(tick, intervalMs);
  first?.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
      proc.stop();
    },
  };
}
