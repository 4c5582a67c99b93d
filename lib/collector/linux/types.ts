/**
 * One reading of the Linux sampler: a series name and labels as node_exporter (or cAdvisor, for
 * container_* series) would publish them, or a Pulseboard-derived gauge such as
 * host_cpu_utilization_ratio. The collector turns these into points.
 */
export interface HostSample {
  name: string;
  labels?: Record<string, string>;
  value: number;
  type: 'counter' | 'gauge';
}

/** What the sampler needs of statfs(2) for one mount point, in the units the kernel gives (blocks of `bsize` bytes, inodes). */
export interface StatfsResult {
  bsize: number;
  blocks: number;
  bavail: number;
  bfree: number;
  files: number;
  ffree: number;
}
