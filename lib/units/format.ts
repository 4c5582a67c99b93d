/** Units Pulseboard knows how to scale; everything else is a plain number. */
export const UNITS = ['bytes', 'bytes_per_second', 'seconds', 'ratio', 'percent', 'per_second', 'celsius', 'none'] as const;
export type Unit = (typeof UNITS)[number];

// Longest suffix first: `_bytes_total` must win over `_total`.
const SUFFIX_UNITS: ReadonlyArray<readonly [string, Unit]> = [
  ['_per_second', 'per_second'],
  ['_bytes_total', 'bytes'],
  ['_seconds_total', 'seconds'],
  ['_bytes', 'bytes'],
  ['_seconds', 'seconds'],
  ['_ratio', 'ratio'],
  ['_percent', 'percent'],
  ['_celsius', 'celsius'],
];

/** Unit implied by a metric name's Prometheus suffix convention. */
export function unitFromName(name: string): Unit {
  for (const [suffix, unit] of SUFFIX_UNITS) if (name.endsWith(suffix)) return unit;
  return 'none';
}

const BYTE_STEPS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

// One formatter, built once: toLocaleString builds a new one on every call (axis ticks call this a lot).
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function trim(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && abs < 0.01) return n.toExponential(1);
  return NUMBER.format(Number(n.toPrecision(digits)));
}

function formatBytes(v: number): string {
  let i = 0;
  let x = v;
  // Step up at 1000, not 1024, so three significant figures never print as "1,020 KB".
  while (Math.abs(x) >= 1000 && i < BYTE_STEPS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${trim(x)} ${BYTE_STEPS[i]}`;
}

function formatSeconds(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${trim(v * 1e6)} µs`;
  if (abs < 1) return `${trim(v * 1e3)} ms`;
  if (abs < 120) return `${trim(v)} s`;
  if (abs < 7200) return `${trim(v / 60)} min`;
  return `${trim(v / 3600)} h`;
}

function formatCount(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${trim(v / 1e9)}G`;
  if (abs >= 1e6) return `${trim(v / 1e6)}M`;
  if (abs >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

/** Human-readable value in its unit: `42.5 %`, `1.2 GB`, `3.4 ms`. */
export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'bytes':
      return formatBytes(v);
    case 'bytes_per_second':
      return `${formatBytes(v)}/s`;
    case 'seconds':
      return formatSeconds(v);
    case 'ratio':
      return `${trim(v * 100)} %`;
    case 'percent':
      return `${trim(v)} %`;
    case 'per_second':
      return `${formatCount(v)}/s`;
    case 'celsius':
      return `${trim(v)} °C`;
    case 'none':
      return formatCount(v);
  }
}

/** Unit of a counter's per-second rate: bytes → bytes/s, seconds → a ratio (seconds per second), else per second. */
export function rateUnit(unit: Unit): Unit {
  if (unit === 'bytes') return 'bytes_per_second';
  if (unit === 'seconds') return 'ratio';
  return 'per_second';
}
