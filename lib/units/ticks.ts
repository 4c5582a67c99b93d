import type { Unit } from './format';

const NICE = [1, 2, 2.5, 5, 10];

/** The size of one displayed unit step of `unit` at magnitude `span`: KB/MB/GB for bytes, % for ratios, ms/s/min/h for seconds. */
function displayScale(unit: Unit, span: number): number {
  switch (unit) {
    case 'bytes':
    case 'bytes_per_second': {
      let scale = 1;
      // The same steps formatValue uses: the next unit from 1000 on, in powers of 1024.
      while (span / scale >= 1000 && scale < 1024 ** 5) scale *= 1024;
      return scale;
    }
    case 'ratio':
      return 0.01;
    case 'seconds':
      if (span < 1e-3) return 1e-6;
      if (span < 1) return 1e-3;
      if (span < 120) return 1;
      return span < 7200 ? 60 : 3600;
    default:
      return 1;
  }
}

/** The smallest of 1, 2, 2.5, 5 × 10ⁿ at least `x`. */
function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  return (NICE.find((n) => n * power >= x * (1 - 1e-9)) ?? 10) * power;
}

/**
 * About `count` axis ticks covering [lo, hi] at round values of the unit as it is displayed
 * (0, 5, 10, 15 GB rather than 0, 6.05, 12.1 GB; 0, 25, 50 % for a ratio), always including 0
 * when the range spans it. With `integer` (every value shown is a whole number), whole steps.
 */
export function niceTicks(lo: number, hi: number, unit: Unit, count = 4, { integer = false }: { integer?: boolean } = {}): number[] {
  const low = Math.min(0, lo);
  // A flat zero line still gets an axis, 0 to 1.
  const high = Math.max(0, hi) || (low < 0 ? 0 : 1);
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  const span = high - low;
  const scale = displayScale(unit, Math.max(Math.abs(low), Math.abs(high), span));
  let step = niceStep(span / scale / count) * scale;
  // Counts (streams, jobs) have no quarter values: whole steps, 2 rather than 2.5.
  if (integer && scale === 1 && !Number.isInteger(step)) step = Math.max(1, Math.floor(step));
  const first = Math.floor(low / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(high / step - 1e-9));
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}
