import { describe, expect, it } from 'vitest';
import { historyQuerySchema } from './series';

describe('historyQuerySchema', () => {
  it('names the limit a point budget is over, rather than calling a number no number', () => {
    const result = historyQuerySchema.safeParse({ points: '100000' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['at most 10000 points']);
    expect(historyQuerySchema.safeParse({ points: '0' }).error?.issues.map((i) => i.message)).toEqual(['at least 1 point']);
  });

  it('still says "must be a number" of what is not one, and takes 300 points by default', () => {
    expect(historyQuerySchema.safeParse({ points: 'many' }).error?.issues.map((i) => i.message)).toEqual(['must be a number']);
    expect(historyQuerySchema.parse({})).toEqual({ window: 900_000, points: 300 });
  });
});
