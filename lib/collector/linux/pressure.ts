import { fieldsOf, forEachLine, parseCount } from './text';

/** Pressure stall totals from one /proc/pressure file, in seconds. */
export interface Pressure {
  /** Time some task was stalled on the resource (`some total=`). */
  someSeconds: number | undefined;
  /** Time all non-idle tasks were stalled at once (`full total=`); kernels before 5.13 have no cpu `full`. */
  fullSeconds: number | undefined;
}

/**
 * Parses /proc/pressure/{cpu,memory,io} (PSI): the `total=` microseconds of the `some` and `full`
 * lines in seconds. Null when neither line is there, so a kernel without PSI yields no series.
 */
export function parsePressure(text: string): Pressure | null {
  const out: Pressure = { someSeconds: undefined, fullSeconds: undefined };
  forEachLine(text, 8, (line) => {
    const f = fieldsOf(line);
    const kind = f[0];
    if (kind !== 'some' && kind !== 'full') return;
    const total = f.find((field) => field.startsWith('total='));
    const us = parseCount(total?.slice(6));
    if (us === undefined) return;
    if (kind === 'some') out.someSeconds ??= us / 1e6;
    else out.fullSeconds ??= us / 1e6;
  });
  return out.someSeconds === undefined && out.fullSeconds === undefined ? null : out;
}
