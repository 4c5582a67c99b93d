const TICK_STEPS = [
  1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1_800e3, 3_600e3, 7_200e3, 10_800e3, 21_600e3,
  43_200e3, 86_400e3,
];

/** Round-time ticks across [from, to], at most six of them, and the step between them. */
export function timeTicks(from: number, to: number): { ticks: number[]; step: number } {
  const step = TICK_STEPS.find((s) => (to - from) / s <= 6) ?? (TICK_STEPS.at(-1) as number);
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return { ticks, step };
}
