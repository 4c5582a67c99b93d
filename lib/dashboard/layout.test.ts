import { describe, expect, it } from 'vitest';
import { metaFromKey, toSeriesKey } from '@/lib/series';
import { layoutPanels, metricPanel, panelSources, type SeriesRef } from './layout';
import { BUILTIN_PANELS } from './panels';

function ref(name: string, labels: Record<string, string> = {}): SeriesRef {
  return metaFromKey(toSeriesKey(name, labels));
}

/** Panel ids with their line labels, the shape a reader of the dashboard sees. */
function outline(series: Iterable<SeriesRef>): Array<[string, string[]]> {
  return layoutPanels(series).map((p) => [p.id, p.lines.map((l) => l.label)]);
}

describe('layoutPanels', () => {
  it('returns no panels for no series', () => {
    expect(layoutPanels([])).toEqual([]);
  });

  it('groups built-in metrics into their panels, in BUILTIN_PANELS order whatever the input order', () => {
    const i = { instance: 'web-1' };
    const series = [
      ref('pulseboard_streams_open', i),
      ref('host_memory_available_bytes', i),
      ref('host_cpu_core_utilization_ratio', { ...i, cpu: '1' }),
      ref('host_memory_used_bytes', i),
      ref('host_cpu_utilization_ratio', i),
      ref('host_cpu_core_utilization_ratio', { ...i, cpu: '0' }),
    ];
    const panels = layoutPanels(series);
    expect(panels.map((p) => p.id)).toEqual(['cpu', 'memory', 'streams']);
    const order = BUILTIN_PANELS.map((p) => p.id);
    expect(panels.map((p) => order.indexOf(p.id))).toEqual([0, 3, 23]);
    expect(panels.map((p) => p.section)).toEqual(['cpu', 'memory', 'pulseboard']);
    // A panel carries its spec: title, unit, axis limit.
    expect(panels[0]).toMatchObject({ title: 'Host CPU', unit: 'ratio', yMax: 1 });
  });

  it('puts each panel in its section: the host first, scraped exporters by name, raw host series charted through their derived figures', () => {
    const host = { instance: 'web-1' };
    const scraped = { instance: '127.0.0.1:9100', job: 'node' };
    const panels = layoutPanels([
      ref('http_requests_total', { route: '/' }),
      ref('node_network_receive_bytes_total', { ...host, device: 'eth0' }),
      ref('node_network_receive_bytes_total', { ...scraped, device: 'eth0' }),
      ref('node_filesystem_avail_bytes', { ...scraped, mountpoint: '/' }),
      ref('host_network_receive_bytes_per_second', { ...host, device: 'eth0' }),
      ref('process_cpu_seconds_total', { job: 'app', instance: 'a:1' }),
      ref('process_resident_memory_bytes', { job: 'app', instance: 'a:1' }),
      ref('node_textfile_backup_age_seconds', { instance: 'db1' }),
      ref('host_cpu_utilization_ratio', host),
      ref('up', scraped),
    ]);
    expect(panels.map((p) => [p.section, p.id])).toEqual([
      ['cpu', 'cpu'],
      ['filesystems', 'metric:node_filesystem_avail_bytes'],
      ['network', 'network'],
      ['network', 'metric:node_network_receive_bytes_total'],
      ['targets', 'targets-up'],
      ['pushed', 'metric:http_requests_total'],
      ['pushed', 'metric:node_textfile_backup_age_seconds'],
      ['pushed', 'metric:process_cpu_seconds_total'],
      ['pushed', 'metric:process_resident_memory_bytes'],
    ]);
    // The scraped exporter's raw series, not the built-in collector's.
    expect(panels.find((p) => p.id === 'metric:node_network_receive_bytes_total')!.lines.map((l) => l.key)).toEqual([expect.stringContaining('job="node"')]);
  });

  it('fills legend templates and orders lines by metric, then label values numerically', () => {
    const i = { instance: 'web-1' };
    const series = [
      ref('host_cpu_core_utilization_ratio', { ...i, cpu: '10' }),
      ref('host_cpu_core_utilization_ratio', { ...i, cpu: '2' }),
      ref('host_cpu_utilization_ratio', i),
      ref('host_cpu_core_utilization_ratio', { ...i, cpu: '0' }),
      ref('host_load_average', { ...i, period: '5m' }),
      ref('host_load_average', { ...i, period: '1m' }),
      ref('host_load_average', { ...i, period: '15m' }),
    ];
    expect(outline(series)).toEqual([
      ['cpu', ['total', 'cpu 0', 'cpu 2', 'cpu 10']],
      ['load', ['1m', '5m', '15m']],
    ]);
    const cpu = layoutPanels(series)[0];
    expect(cpu?.lines[1]?.key).toBe(toSeriesKey('host_cpu_core_utilization_ratio', { cpu: '0', instance: 'web-1' }));
  });

  it('adds labels the legend does not use as name=value', () => {
    expect(outline([ref('host_cpu_core_utilization_ratio', { cpu: '3', mode: 'user' })])).toEqual([
      ['cpu', ['cpu 3 mode=user']],
    ]);
  });

  it('gives each other metric its own panel after the built-ins, sorted by name, one line per label set', () => {
    const series = [
      ref('queue_depth', { queue: 'emails' }),
      ref('app_requests_total', { code: '500', method: 'GET' }),
      ref('host_memory_used_bytes'),
      ref('queue_depth', { queue: 'billing' }),
      ref('app_requests_total', { code: '200', method: 'GET' }),
      ref('app_latency_seconds'),
    ];
    expect(outline(series)).toEqual([
      ['memory', ['used']],
      ['metric:app_latency_seconds', ['app_latency_seconds']],
      ['metric:app_requests_total', ['code=200 method=GET', 'code=500 method=GET']],
      ['metric:queue_depth', ['queue=billing', 'queue=emails']],
    ]);
    const latency = layoutPanels(series).find((p) => p.id === 'metric:app_latency_seconds');
    expect(latency).toMatchObject({ title: 'app_latency_seconds', unit: 'seconds', metrics: ['app_latency_seconds'] });
  });

  it('leaves out metrics that are collected but not charted', () => {
    const series = [
      ref('process_cpu_seconds_total'),
      ref('host_memory_total_bytes'),
      ref('pulseboard_series'),
      ref('process_cpu_usage_ratio'),
    ];
    expect(outline(series)).toEqual([['process-cpu', ['cpu']]]);
  });

  it('hides the instance while only one is present', () => {
    const series = [
      ref('host_cpu_utilization_ratio', { instance: 'web-1' }),
      ref('jobs_running', { instance: 'web-1' }),
      ref('jobs_running', { instance: 'web-1', queue: 'q' }),
    ];
    const [cpu, jobs] = outline(series);
    expect(cpu).toEqual(['cpu', ['total']]);
    // Line order here is by key collation; what matters is that no line names the instance.
    expect(jobs?.[0]).toBe('metric:jobs_running');
    expect(jobs?.[1].toSorted()).toEqual(['jobs_running', 'queue=q']);
  });

  it('suffixes every line with its instance once more than one is present', () => {
    const series = [
      ref('host_cpu_utilization_ratio', { instance: 'web-2' }),
      ref('host_cpu_utilization_ratio', { instance: 'web-1' }),
      ref('jobs_running', { instance: 'web-1' }),
    ];
    expect(outline(series)).toEqual([
      ['cpu', ['total @web-1', 'total @web-2']],
      ['metric:jobs_running', ['jobs_running @web-1']],
    ]);
  });

  it('does not count instances of uncharted metrics', () => {
    const series = [ref('host_cpu_utilization_ratio', { instance: 'web-1' }), ref('pulseboard_series', { instance: 'web-2' })];
    expect(outline(series)).toEqual([['cpu', ['total']]]);
  });

  it('accepts any iterable, such as a Map of the live store', () => {
    const live = new Map([
      ['b', ref('host_load_average', { period: '5m' })],
      ['a', ref('host_load_average', { period: '1m' })],
    ]);
    expect(outline(live.values())).toEqual([['load', ['1m', '5m']]]);
  });

  it('charts a counter as a per-second rate in its rate unit', () => {
    const [requests] = layoutPanels([ref('http_requests_total', { code: '200' })]);
    const [bytes] = layoutPanels([ref('net_sent_bytes_total')]);
    expect(requests).toMatchObject({ title: 'http_requests_total', rate: true, unit: 'per_second' });
    expect(bytes).toMatchObject({ rate: true, unit: 'bytes_per_second' });
    expect(layoutPanels([ref('queue_depth')])[0]).toMatchObject({ rate: false, unit: 'none' });
  });
});

describe('histograms and summaries', () => {
  const bucketRefs = (labels: Record<string, string>) => [
    ...['0.5', '+Inf', '0.05', '0.1', '1'].map((le) => ref('http_request_duration_seconds_bucket', { ...labels, le })),
    ref('http_request_duration_seconds_sum', labels),
    ref('http_request_duration_seconds_count', labels),
  ];

  it('draws a histogram as one panel: p50, p90, p99 and the mean per label set, in seconds', () => {
    const panels = layoutPanels([...bucketRefs({ route: '/b' }), ...bucketRefs({ route: '/a' }), ref('queue_depth')]);
    expect(panels.map((p) => p.id)).toEqual(['histogram:http_request_duration_seconds', 'metric:queue_depth']);
    const [h] = panels;
    expect(h).toMatchObject({ title: 'http_request_duration_seconds', unit: 'seconds' });
    expect(h!.rate).toBeFalsy();
    expect(h!.lines.map((l) => l.label)).toEqual(['p50 route=/a', 'p90 route=/a', 'p99 route=/a', 'mean route=/a', 'p50 route=/b', 'p90 route=/b', 'p99 route=/b', 'mean route=/b']);
    // Derived lines' keys say what they are, with the label set a filter matches.
    expect(h!.lines[1]!.key).toBe(toSeriesKey('http_request_duration_seconds', { quantile: '0.9', route: '/a' }));
    // The panel reads all of its series: five buckets, sum and count per label set.
    expect(panelSources(h!)).toHaveLength(14);
    const group = h!.family!.groups[h!.lines[0]!.derive!.group]!;
    expect(group.labels).toEqual({ route: '/a' });
    expect(group.buckets.map((b) => b.le).sort((a, b) => a - b)).toEqual([0.05, 0.1, 0.5, 1, Infinity]);
  });

  it('one label set: lines named by quantile alone; without sum or count, no mean', () => {
    const series = bucketRefs({}).filter((s) => !s.name.endsWith('_sum'));
    expect(outline(series)).toEqual([['histogram:http_request_duration_seconds', ['p50', 'p90', 'p99']]]);
  });

  it('buckets without a +Inf bound, or with an le that is no number, stay a plain panel', () => {
    const noInf = bucketRefs({}).filter((s) => s.labels.le !== '+Inf');
    expect(layoutPanels(noInf).map((p) => p.id)).toEqual(['metric:http_request_duration_seconds_bucket', 'metric:http_request_duration_seconds_count', 'metric:http_request_duration_seconds_sum']);
    const bad = [...bucketRefs({}), ref('http_request_duration_seconds_bucket', { le: 'fast' })];
    expect(layoutPanels(bad).some((p) => p.family)).toBe(false);
  });

  it('draws a summary as its own quantiles (ordered) and the mean', () => {
    const series = [
      ref('rpc_seconds', { quantile: '0.99' }),
      ref('rpc_seconds', { quantile: '0.5' }),
      ref('rpc_seconds', { quantile: '0.9' }),
      ref('rpc_seconds_sum'),
      ref('rpc_seconds_count'),
    ];
    const [panel] = layoutPanels(series);
    expect(panel!.lines.map((l) => l.label)).toEqual(['p50', 'p90', 'p99', 'mean']);
    // The quantiles are the summary's own series; only the mean is computed.
    expect(panel!.lines.map((l) => l.derive?.kind ?? 'series')).toEqual(['series', 'series', 'series', 'mean']);
    expect(panel!.unit).toBe('seconds');
  });

  it('leaves the built-in event-loop quantiles to their panel', () => {
    expect(layoutPanels([ref('nodejs_eventloop_delay_seconds', { quantile: '0.5' })])[0]!.id).toBe('loop-delay');
  });
});

describe('metricPanel', () => {
  it('charts one metric alone, a line per series with all its labels, a counter as a rate', () => {
    const panel = metricPanel('http_requests_total', [
      { ...ref('http_requests_total', { route: '/b', instance: 'x' }), type: 'counter' },
      { ...ref('http_requests_total', { route: '/a', instance: 'x' }), type: 'counter' },
    ]);
    expect(panel.lines.map((l) => l.label)).toEqual(['instance=x route=/a', 'instance=x route=/b']);
    expect(panel.rate).toBe(true);
    expect(panel.unit).toBe('per_second');
    expect(metricPanel('up', [ref('up')]).lines).toEqual([{ key: 'up', label: 'up' }]);
  });
});
