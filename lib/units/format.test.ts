import { describe, expect, it } from 'vitest';
import { formatValue, unitFromName } from './format';

describe('formatValue', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1_536, '1.5 KB'],
    [1_048_576, '1 MB'],
    [5.25 * 1024 ** 2, '5.25 MB'],
    [16 * 1024 ** 3, '16 GB'],
    [2 * 1024 ** 4, '2 TB'],
    [-2_048, '-2 KB'],
  ])('scales %d bytes to %s', (v, text) => {
    expect(formatValue(v, 'bytes')).toBe(text);
  });

  it.each([
    [0, '0 s'],
    [0.000_25, '250 µs'],
    [0.004_2, '4.2 ms'],
    [0.5, '500 ms'],
    [1, '1 s'],
    [42.5, '42.5 s'],
    [300, '5 min'],
    [3 * 3600, '3 h'],
  ])('scales %d seconds to %s', (v, text) => {
    expect(formatValue(v, 'seconds')).toBe(text);
  });

  it('shows a ratio as a percentage and a percent as it is', () => {
    expect(formatValue(0.425, 'ratio')).toBe('42.5 %');
    expect(formatValue(1, 'ratio')).toBe('100 %');
    expect(formatValue(0, 'ratio')).toBe('0 %');
    expect(formatValue(42.5, 'percent')).toBe('42.5 %');
  });

  it('adds /s to rates and scales large ones', () => {
    expect(formatValue(12, 'per_second')).toBe('12/s');
    expect(formatValue(0.5, 'per_second')).toBe('0.5/s');
    expect(formatValue(12_345, 'per_second')).toBe('12.3k/s');
    expect(formatValue(2_500_000, 'per_second')).toBe('2.5M/s');
  });

  it('shows plain numbers to three significant digits with thousands separators', () => {
    expect(formatValue(3.14159, 'none')).toBe('3.14');
    expect(formatValue(1_234, 'none')).toBe('1,230');
    expect(formatValue(3e9, 'none')).toBe('3G');
    expect(formatValue(21.5, 'celsius')).toBe('21.5 °C');
  });

  it('shows tiny values in exponent form rather than as zero', () => {
    expect(formatValue(0.001, 'none')).toBe('1.0e-3');
    expect(formatValue(0.000_01, 'ratio')).toBe('1.0e-3 %');
  });

  it('passes non-finite values through as text', () => {
    expect(formatValue(Number.NaN, 'none')).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY, 'percent')).toBe('Infinity %');
  });
});

describe('unitFromName', () => {
  it.each([
    ['process_cpu_seconds_total', 'seconds'],
    ['nodejs_eventloop_delay_seconds', 'seconds'],
    ['net_received_bytes_total', 'bytes'],
    ['host_memory_used_bytes', 'bytes'],
    ['host_cpu_utilization_ratio', 'ratio'],
    ['disk_used_percent', 'percent'],
    ['cpu_temperature_celsius', 'celsius'],
    ['pulseboard_ingest_points_per_second', 'per_second'],
    ['http_requests_total', 'none'],
    ['host_load_average', 'none'],
    ['bytes', 'none'], // a suffix needs its underscore
    ['seconds_elapsed', 'none'], // and must be the end of the name
  ] as const)('reads %s as %s', (name, unit) => {
    expect(unitFromName(name)).toBe(unit);
  });
});
