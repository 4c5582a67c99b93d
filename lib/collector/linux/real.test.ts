import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLinuxSampler } from './sampler';

const linux = process.platform === 'linux' && fs.existsSync('/proc/stat');

describe.runIf(linux)('createLinuxSampler on this machine', () => {
  it('reads cpu, memory, network and the root filesystem', () => {
    const sampler = createLinuxSampler();
    expect(sampler).not.toBeNull();
    const samples = sampler!.sample();
    const has = (name: string, labels: Record<string, string> = {}) =>
      samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    expect(has('node_cpu_seconds_total', { cpu: '0', mode: 'user' })).toBe(true);
    expect(has('node_memory_MemAvailable_bytes')).toBe(true);
    expect(has('node_network_receive_bytes_total')).toBe(true);
    expect(has('node_filesystem_size_bytes', { mountpoint: '/' })).toBe(true);
    for (const s of samples) expect(Number.isFinite(s.value), s.name).toBe(true);
  });

  it('derives rates on its second reading', async () => {
    const sampler = createLinuxSampler({ processEvery: 1 })!;
    sampler.sample();
    await new Promise((r) => setTimeout(r, 100));
    const samples = sampler.sample();
    const ratio = samples.find((s) => s.name === 'host_cpu_utilization_ratio');
    expect(ratio?.value).toBeGreaterThanOrEqual(0);
    expect(ratio?.value).toBeLessThanOrEqual(1);
    expect(samples.some((s) => s.name === 'host_process_cpu_usage_ratio')).toBe(true);
  });
});
