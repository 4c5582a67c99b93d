import { expect } from '@playwright/test';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` while `baseURL`'s /api/health is asked every `everyMs` (each must answer 200); the
 * slowest answer, in ms. The promise is under 200 ms, whatever else the server is doing.
 */
export async function healthDuring(baseURL: string, work: () => Promise<void>, everyMs = 20): Promise<number> {
  let done = false;
  let worst = 0;
  const sampler = (async () => {
    // Bounded: a minute's worth of probes at the most.
    for (let i = 0; !done && i < 60_000 / everyMs; i++) {
      const started = performance.now();
      expect((await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(10_000) })).ok).toBe(true);
      worst = Math.max(worst, performance.now() - started);
      await sleep(everyMs);
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await sampler;
  }
  return worst;
}
