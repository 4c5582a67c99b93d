import { z } from 'zod';
import { clip } from '@/lib/http';
import { parseDuration } from '@/lib/units';

/**
 * A duration written as `500ms`, `15s`, `5m`, `1h`, `2d` or a bare number of milliseconds, parsed
 * to milliseconds and held within `min`..`max` (both ms). The one schema for durations, in
 * settings and in query strings alike; its error repeats what was given (at most ECHO_MAX characters) and says what
 * is expected: `got "fast"; expected a duration such as 500ms, 15s, 5m or 1h (between 100 ms and
 * 3600000 ms)`.
 */
export function durationSchema({ min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}) {
  const range = max === Number.MAX_SAFE_INTEGER ? (min > 1 ? ` (at least ${min} ms)` : '') : ` (between ${min} ms and ${max} ms)`;
  return z.string().transform((raw, ctx) => {
    const ms = parseDuration(raw);
    if (!(ms >= min && ms <= max)) {
      ctx.addIssue({ code: 'custom', message: `got ${clip(raw)}; expected a duration such as 500ms, 15s, 5m or 1h${range}` });
      return z.NEVER;
    }
    return ms;
  });
}
