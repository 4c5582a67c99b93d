import type { z } from 'zod';
import { formatPath, toIssues, type Issue } from '@/lib/http';
import type { PointIssue } from './batch';

/** Most issues one answer lists: each is bounded, and so must their sum be. */
export const MAX_ISSUES = 20;
// Issues a Redis entry's one-line reason names.
const REASON_ISSUES = 3;

/**
 * zod's issues with the API's messages, their paths kept as arrays for the caller to place. The
 * point schemas never put an overlong key in a path or message (lib/schema/point.ts), so each
 * stays bounded.
 */
export function issuesOf(error: z.ZodError): PointIssue[] {
  const messages = toIssues(error);
  return error.issues.map((issue, k) => ({ path: issue.path, message: messages[k]?.message ?? issue.message }));
}

/**
 * The first MAX_ISSUES issues as the API lists them: a point's at its JSON path
 * (`points[3].labels.x`), or, with `lineOf` (text bodies), at its line (`line 12: labels.x`).
 */
export function placeIssues(issues: readonly PointIssue[], lineOf?: (i: number) => number): Issue[] {
  return issues.slice(0, MAX_ISSUES).map(({ path, message }) => {
    const [root, index, ...rest] = path;
    if (lineOf && root === 'points' && typeof index === 'number') {
      const field = formatPath(rest);
      return { path: `line ${lineOf(index)}${field ? `: ${field}` : ''}`, message };
    }
    return { path: formatPath(path), message };
  });
}

/** Issues as one bounded line, for a log: a Redis entry skipped as invalid says why. */
export function reasonOf(issues: readonly PointIssue[]): string {
  const named = issues.slice(0, REASON_ISSUES).map(({ path, message }) => `${formatPath(path) || '(entry)'}: ${message}`);
  const more = issues.length > REASON_ISSUES ? `; and ${issues.length - REASON_ISSUES} more` : '';
  return named.join('; ') + more;
}
