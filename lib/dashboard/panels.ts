import type { Unit } from '@/lib/units';

/** A chart on the dashboard: the metric names it draws and how it labels their lines. */
export interface PanelSpec {
  id: string;
  title: string;
  unit: Unit;
  metrics: string[];
  /** Line name per metric: a template where `{label}` is that label's value, or a function of the labels. */
  legend?: Record<string, string | ((labels: Record<string, string>) => string)>;
  /** Chart the per-second rate of the values (counters), resets handled. */
  rate?: boolean;
  /** Fixed y-axis maximum (in the metric's raw unit), e.g. 1 for a ratio. */
  yMax?: number;
  description?: string;
}

/** Charts of the built-in collector, in the order they appear. */
export const BUILTIN_PANELS: readonly PanelSpec[] = [
  {
    id: 'cpu',
    title: 'Host CPU',
    unit: 'ratio',
    yMax: 1,
    metrics: ['host_cpu_utilization_ratio', 'host_cpu_core_utilization_ratio'],
    legend: { host_cpu_utilization_ratio: 'total', host_cpu_core_utilization_ratio: 'cpu {cpu}' },
    description: 'Busy share of all cores, and of each core',
  },
  {
    id: 'memory',
    title: 'Host memory',
    unit: 'bytes',
    metrics: ['host_memory_used_bytes', 'host_memory_available_bytes'],
    legend: { host_memory_used_bytes: 'used', host_memory_available_bytes: 'available' },
  },
  {
    id: 'load',
    title: 'Load average',
    unit: 'none',
    metrics: ['host_load_average'],
    legend: { host_load_average: '{period}' },
  },
  {
    id: 'process-cpu',
    title: 'Pulseboard CPU',
    unit: 'ratio',
    metrics: ['process_cpu_usage_ratio'],
    legend: { process_cpu_usage_ratio: 'cpu' },
    description: 'Share of one core used by the Pulseboard server',
  },
  {
    id: 'process-memory',
    title: 'Pulseboard memory',
    unit: 'bytes',
    metrics: ['process_resident_memory_bytes', 'nodejs_heap_used_bytes', 'nodejs_heap_total_bytes'],
    legend: {
      process_resident_memory_bytes: 'rss',
      nodejs_heap_used_bytes: 'heap used',
      nodejs_heap_total_bytes: 'heap total',
    },
  },
  {
    id: 'loop-delay',
    title: 'Event-loop delay',
    unit: 'seconds',
    metrics: ['nodejs_eventloop_delay_seconds'],
    legend: { nodejs_eventloop_delay_seconds: (l) => `p${Math.round(Number(l.quantile) * 100)}` },
  },
  {
    id: 'loop-utilization',
    title: 'Event-loop utilisation',
    unit: 'ratio',
    yMax: 1,
    metrics: ['nodejs_eventloop_utilization_ratio'],
    legend: { nodejs_eventloop_utilization_ratio: 'busy' },
  },
  {
    id: 'streams',
    title: 'Open streams',
    unit: 'none',
    metrics: ['pulseboard_streams_open'],
    legend: { pulseboard_streams_open: 'streams' },
  },
  {
    id: 'throughput',
    title: 'Pulseboard throughput',
    unit: 'per_second',
    metrics: ['pulseboard_ingest_points_per_second', 'pulseboard_events_sent_per_second'],
    legend: { pulseboard_ingest_points_per_second: 'points in', pulseboard_events_sent_per_second: 'events out' },
  },
];

/** Collected but not charted: totals that only make sense as a rate or a scrape. */
export const UNCHARTED_METRICS: ReadonlySet<string> = new Set([
  'process_cpu_seconds_total',
  'host_memory_total_bytes',
  'pulseboard_series',
]);
