import { afterEach, describe, expect, it } from 'vitest';
import { createProcessSampler } from './process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createProcessSampler', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('reports an idle event loop as next to no delay, not the 10 ms sampling interval', async () => {
    const sampler = createProcessSampler();
    stop = sampler.stop;
    sampler.read();
    await sleep(500);
    const { loopDelayP50Seconds, loopDelayP99Seconds } = sampler.read();
    expect(loopDelayP50Seconds).toBeGreaterThanOrEqual(0);
    expect(loopDelayP50Seconds).toBeLessThan(0.005);
    expect(loopDelayP99Seconds).toBeGreaterThanOrEqual(loopDelayP50Seconds);
  });

  it('shows a 100 ms stall of the loop in the 99th percentile', async () => {
    const sampler = createProcessSampler();
    stop = sampler.stop;
    sampler.read();
    await sleep(200);
    const until = performance.now() + 100;
    while (performance.now() < until) {
      // busy: the loop is blocked
    }
    await sleep(50);
    const { loopDelayP50Seconds, loopDelayP99Seconds } = sampler.read();
    expect(loopDelayP99Seconds).toBeGreaterThanOrEqual(0.05);
    expect(loopDelayP50Seconds).toBeLessThan(0.005);
  });
});
