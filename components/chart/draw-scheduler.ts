/**
 * Redraws charts one per task rather than all in one: each chart's Recharts update is a few tens
 * of milliseconds, so drawing a page of them together makes one long task that freezes input;
 * one per task keeps every task short. A chart that asks again before its turn keeps its place
 * in the queue and only its newest drawing is done.
 */
const queue = new Map<object, () => void>();
let pending = false;

function run(): void {
  pending = false;
  const next = queue.entries().next();
  if (next.done) return;
  const [key, job] = next.value;
  queue.delete(key);
  job();
  if (queue.size > 0) schedule();
}

function schedule(): void {
  if (pending) return;
  pending = true;
  setTimeout(run, 0);
}

/** Queues `job` as the next drawing of `key`, replacing one still waiting. */
export function scheduleDraw(key: object, job: () => void): void {
  queue.set(key, job);
  schedule();
}

/** Forgets a waiting drawing (the chart went away). */
export function cancelDraw(key: object): void {
  queue.delete(key);
}
