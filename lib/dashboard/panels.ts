import type { Unit } from '@/lib/units';

/** The dashboard's sections, in order: the host first, then targets, Pulseboard itself, pushed metrics. */
export const SECTIONS = [
  { id: 'cpu', title: 'CPU' },
  { id: 'memory', title: 'Memory' },
  { id: 'disks', title: 'Disks' },
  { id: 'filesystems', title: 'Filesystems' },
  { id: 'network', title: 'Network' },
  { id: 'processes', title: 'Processes' },
  { id: 'container', title: 'Container' },
  { id: 'targets', title: 'Scrape targets' },
  { id: 'pulseboard', title: 'This Pulseboard' },
  { id: 'pushed', title: 'Pushed and scraped metrics' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

/** A chart on the dashboard: the metric names it draws and how it labels their lines. */
export interface PanelSpec {
  id: string;
  /** Where it goes on the dashboard; panels of other metrics get theirs from their name (sectionOf). */
  section?: SectionId;
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

/** Charts of the built-in collector, in the order they appear (host figures derived from its node_exporter-named series). */
export const BUILTIN_PANELS: readonly PanelSpec[] = [
  {
    id: 'cpu',
    section: 'cpu',
    title: 'Host CPU',
    unit: 'ratio',
    yMax: 1,
    metrics: ['host_cpu_utilization_ratio', 'host_cpu_core_utilization_ratio'],
    legend: { host_cpu_utilization_ratio: 'total', host_cpu_core_utilization_ratio: 'cpu {cpu}' },
    description: 'Busy share of all cores, and of each core (from node_cpu_seconds_total)',
  },
  {
    id: 'load',
    section: 'cpu',
    title: 'Load average',
    unit: 'none',
    metrics: ['host_load_average'],
    legend: { host_load_average: '{period}' },
  },
  {
    id: 'pressure',
    section: 'cpu',
    title: 'Pressure stall (PSI)',
    unit: 'ratio',
    rate: true,
    metrics: ['node_pressure_cpu_waiting_seconds_total', 'node_pressure_memory_waiting_seconds_total', 'node_pressure_io_waiting_seconds_total', 'node_pressure_memory_stalled_seconds_total', 'node_pressure_io_stalled_seconds_total'],
    legend: {
      node_pressure_cpu_waiting_seconds_total: 'cpu some',
      node_pressure_memory_waiting_seconds_total: 'memory some',
      node_pressure_io_waiting_seconds_total: 'io some',
      node_pressure_memory_stalled_seconds_total: 'memory full',
      node_pressure_io_stalled_seconds_total: 'io full',
    },
    description: 'Share of time tasks waited for CPU, memory or I/O (some: at least one task; full: all)',
  },
  {
    id: 'memory',
    section: 'memory',
    title: 'Host memory',
    unit: 'bytes',
    metrics: ['host_memory_used_bytes', 'host_memory_available_bytes', 'node_memory_Cached_bytes', 'node_memory_Buffers_bytes', 'host_swap_used_bytes'],
    legend: { host_memory_used_bytes: 'used', host_memory_available_bytes: 'available', node_memory_Cached_bytes: 'cached', node_memory_Buffers_bytes: 'buffers', host_swap_used_bytes: 'swap used' },
  },
  {
    id: 'disk-io',
    section: 'disks',
    title: 'Disk throughput',
    unit: 'bytes_per_second',
    metrics: ['host_disk_read_bytes_per_second', 'host_disk_written_bytes_per_second'],
    legend: { host_disk_read_bytes_per_second: '{device} read', host_disk_written_bytes_per_second: '{device} written' },
  },
  {
    id: 'disk-busy',
    section: 'disks',
    title: 'Disk busy',
    unit: 'ratio',
    yMax: 1,
    metrics: ['host_disk_io_utilization_ratio'],
    legend: { host_disk_io_utilization_ratio: '{device}' },
    description: 'Share of time each device had I/O in flight (from node_disk_io_time_seconds_total)',
  },
  {
    id: 'filesystems',
    section: 'filesystems',
    title: 'Filesystem used',
    unit: 'ratio',
    yMax: 1,
    metrics: ['host_filesystem_used_ratio'],
    legend: { host_filesystem_used_ratio: '{mountpoint}' },
    description: 'Share of each filesystem in use (from node_filesystem_size_bytes and node_filesystem_avail_bytes)',
  },
  {
    id: 'network',
    section: 'network',
    title: 'Network traffic',
    unit: 'bytes_per_second',
    metrics: ['host_network_receive_bytes_per_second', 'host_network_transmit_bytes_per_second'],
    legend: { host_network_receive_bytes_per_second: '{device} in', host_network_transmit_bytes_per_second: '{device} out' },
  },
  {
    id: 'network-problems',
    section: 'network',
    title: 'Network drops and errors',
    unit: 'per_second',
    metrics: ['host_network_drops_per_second', 'host_network_errors_per_second'],
    legend: { host_network_drops_per_second: '{device} dropped', host_network_errors_per_second: '{device} errors' },
    description: 'Packets dropped and errors, received and sent, per second: anything above 0 is worth a look',
  },
  {
    id: 'tcp',
    section: 'network',
    title: 'TCP connections',
    unit: 'none',
    metrics: ['node_tcp_connection_states'],
    legend: { node_tcp_connection_states: '{state}' },
  },
  {
    id: 'top-cpu',
    section: 'processes',
    title: 'Top processes by CPU',
    unit: 'ratio',
    metrics: ['host_process_cpu_usage_ratio'],
    legend: { host_process_cpu_usage_ratio: '{process}' },
    description: 'Share of one core, summed over the processes of each name; the 10 busiest each interval',
  },
  {
    id: 'top-memory',
    section: 'processes',
    title: 'Top processes by memory',
    unit: 'bytes',
    metrics: ['host_process_resident_memory_bytes'],
    legend: { host_process_resident_memory_bytes: '{process}' },
    description: 'Resident memory, summed over the processes of each name; the 10 largest each interval',
  },
  {
    id: 'process-counts',
    section: 'processes',
    title: 'Processes and threads',
    unit: 'none',
    metrics: ['node_processes_pids', 'node_processes_threads', 'node_procs_running', 'node_procs_blocked'],
    legend: { node_processes_pids: 'processes', node_processes_threads: 'threads', node_procs_running: 'running', node_procs_blocked: 'blocked' },
  },
  {
    id: 'file-descriptors',
    section: 'processes',
    title: 'Open files',
    unit: 'none',
    metrics: ['node_filefd_allocated'],
    legend: { node_filefd_allocated: 'allocated' },
  },
  {
    id: 'container-cpu',
    section: 'container',
    title: 'Container CPU',
    unit: 'ratio',
    rate: true,
    metrics: ['container_cpu_usage_seconds_total', 'container_cpu_cfs_throttled_seconds_total'],
    legend: { container_cpu_usage_seconds_total: 'used (cores)', container_cpu_cfs_throttled_seconds_total: 'throttled' },
  },
  {
    id: 'container-memory',
    section: 'container',
    title: 'Container memory',
    unit: 'bytes',
    metrics: ['container_memory_usage_bytes', 'container_spec_memory_limit_bytes'],
    legend: { container_memory_usage_bytes: 'used', container_spec_memory_limit_bytes: 'limit' },
  },
  {
    id: 'container-io',
    section: 'container',
    title: 'Container disk I/O',
    unit: 'bytes_per_second',
    rate: true,
    metrics: ['container_fs_reads_bytes_total', 'container_fs_writes_bytes_total'],
    legend: { container_fs_reads_bytes_total: 'read', container_fs_writes_bytes_total: 'written' },
  },
  {
    id: 'targets-up',
    section: 'targets',
    title: 'Targets up',
    unit: 'none',
    yMax: 1,
    metrics: ['up'],
    legend: { up: '{job} {instance}' },
    description: '1 when the last scrape of the target succeeded, 0 when it failed',
  },
  {
    id: 'scrape-duration',
    section: 'targets',
    title: 'Scrape duration',
    unit: 'seconds',
    metrics: ['scrape_duration_seconds'],
    legend: { scrape_duration_seconds: '{job} {instance}' },
  },
  {
    id: 'process-cpu',
    section: 'pulseboard',
    title: 'Pulseboard CPU',
    unit: 'ratio',
    metrics: ['process_cpu_usage_ratio'],
    legend: { process_cpu_usage_ratio: 'cpu' },
    description: 'Share of one core used by the Pulseboard server',
  },
  {
    id: 'process-memory',
    section: 'pulseboard',
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
    section: 'pulseboard',
    title: 'Event-loop delay',
    unit: 'seconds',
    metrics: ['nodejs_eventloop_delay_seconds'],
    legend: { nodejs_eventloop_delay_seconds: (l) => `p${Math.round(Number(l.quantile) * 100)}` },
  },
  {
    id: 'loop-utilization',
    section: 'pulseboard',
    title: 'Event-loop utilisation',
    unit: 'ratio',
    yMax: 1,
    metrics: ['nodejs_eventloop_utilization_ratio'],
    legend: { nodejs_eventloop_utilization_ratio: 'busy' },
  },
  {
    id: 'streams',
    section: 'pulseboard',
    title: 'Open streams',
    unit: 'none',
    metrics: ['pulseboard_streams_open'],
    legend: { pulseboard_streams_open: 'streams' },
  },
  {
    id: 'throughput',
    section: 'pulseboard',
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
  'scrape_samples_scraped',
  // Alert states: counted in the header, listed on /alerts, shaded on the charts of what fires.
  'ALERTS',
]);

/**
 * Whether a series is a built-in collector's raw node_exporter-named series: no `job` label, and
 * its instance is one whose collector writes `host_cpu_utilization_ratio` (`collectors`). Held,
 * queryable and in the metric browser, but charted through the figures derived from it. A
 * scraped exporter's (with `job`) and pushed ones are charted like any other metric.
 */
export function rawHostSeries(name: string, labels: Readonly<Record<string, string>>, collectors: ReadonlySet<string>): boolean {
  return name.startsWith('node_') && labels.job === undefined && collectors.has(labels.instance ?? '') && !CHARTED_RAW.has(name);
}

/** Built-in panels of this Pulseboard's own figures: a scraped app's series of the same names (`job`) are its own, charted apart. */
export const OWN_SECTIONS: ReadonlySet<SectionId> = new Set(['pulseboard']);

// Raw series the built-in panels draw as they are.
const CHARTED_RAW = new Set(BUILTIN_PANELS.flatMap((p) => p.metrics).filter((m) => m.startsWith('node_')));

// Metric name prefixes and the section their panels go to; anything else is pushed or scraped.
const SECTION_PREFIXES: ReadonlyArray<readonly [string, SectionId]> = [
  ['node_cpu', 'cpu'],
  ['node_load', 'cpu'],
  ['node_pressure_cpu', 'cpu'],
  ['node_schedstat', 'cpu'],
  ['node_softnet', 'cpu'],
  ['node_memory_', 'memory'],
  ['node_vmstat', 'memory'],
  ['node_pressure_memory', 'memory'],
  ['node_disk_', 'disks'],
  ['node_pressure_io', 'disks'],
  ['node_md', 'disks'],
  ['node_filesystem_', 'filesystems'],
  ['node_network_', 'network'],
  ['node_netstat_', 'network'],
  ['node_sockstat_', 'network'],
  ['node_tcp_', 'network'],
  ['node_nf_conntrack', 'network'],
  ['node_processes_', 'processes'],
  ['node_procs_', 'processes'],
  ['node_forks', 'processes'],
  ['node_context_switches', 'processes'],
  ['node_filefd_', 'processes'],
  ['host_process_', 'processes'],
  ['container_', 'container'],
  ['up', 'targets'],
  ['scrape_', 'targets'],
  ['pulseboard_', 'pulseboard'],
  ['nodejs_', 'pulseboard'],
  ['process_', 'pulseboard'],
];

/** The section of a panel: its own, or from its first metric's name. A scraped app's process_ and nodejs_ series are its own, not Pulseboard's. */
export function sectionOf(panel: Pick<PanelSpec, 'section' | 'metrics'>, scraped = false): SectionId {
  if (panel.section) return panel.section;
  const name = panel.metrics[0] ?? '';
  for (const [prefix, section] of SECTION_PREFIXES) {
    if (prefix === 'up' ? name === 'up' : name.startsWith(prefix)) {
      if (scraped && (section === 'pulseboard' || section === 'container')) return 'pushed';
      return section;
    }
  }
  return 'pushed';
}
