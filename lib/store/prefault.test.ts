import { describe, expect, it } from 'vitest';
import { prefault } from './prefault';

describe('prefault', () => {
  it('maps pages on another thread without changing a value this thread writes meanwhile', async () => {
    const buffer = new SharedArrayBuffer(32 * 1024 ** 2);
    const worker = prefault([buffer]);
    expect(worker).not.toBeNull();
    const done = new Promise((resolve) => worker!.once('exit', resolve));
    // Filled at once, as the refill does, every value with a non-zero low byte (fractions do).
    const values = new Float64Array(buffer);
    for (let i = 0; i < values.length; i++) values[i] = i + 0.4213;
    await done;
    let changed = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== i + 0.4213) changed++;
    expect(changed).toBe(0);
  });
});
