import type { z } from 'zod';

/** One thing wrong with a request, addressed by its path in the input (`points[3].value`). */
export interface Issue {
  path: string;
  message: string;
}

/** Most characters of outside input an error message repeats back. */
export const ECHO_MAX = 120;

/**
 * Outside input as an error message may quote it: JSON-quoted, and cut to `max` characters with
 * how much was left out, so a 100 KB value never becomes a 100 KB answer (or log line).
 */
export function clip(text: string, max = ECHO_MAX): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length - max} more characters)`;
}

/** A request Pulseboard refuses, with the status it answers. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Formats a zod path as `points[3].labels.host`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Zod issues as the API's `issues` list. */
export function toIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => {
    // A bad record key (a label name) carries the key's own problem inside.
    const inner = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
    const key = issue.path.at(-1);
    const message = inner ? `invalid name ${clip(String(key))}: ${inner.message}` : issue.message;
    return { path: bounded(formatPath(issue.path), PATH_MAX), message };
  });
}

// The last line of defence against echoing input: whatever a message was built from, an error
// body stays small (each path, message and the list of issues are bounded here).
const PATH_MAX = 200;
const MESSAGE_MAX = 1_000;
const ISSUES_MAX = 100;

const bounded = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}… (cut)`);

/** A JSON error body `{"error", "issues"}` with the given status, bounded in size. */
export function errorResponse(status: number, message: string, issues: Issue[] = [], headers: Record<string, string> = {}): Response {
  const listed = issues.slice(0, ISSUES_MAX).map((i) => ({ path: bounded(i.path, PATH_MAX), message: bounded(i.message, MESSAGE_MAX) }));
  if (issues.length > ISSUES_MAX) listed.push({ path: '', message: `and ${issues.length - ISSUES_MAX} more` });
  return Response.json({ error: bounded(message, MESSAGE_MAX), issues: listed }, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}

/** Maps anything a handler throws to a response: named errors keep their status, the rest is a bare 500. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof HttpError) return errorResponse(err.status, err.message, err.issues, err.headers);
  console.error('[pulseboard] request failed:', err);
  return errorResponse(500, 'internal error');
}

/** Runs a handler body, mapping thrown errors in one place. */
export async function handle(body: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await body();
  } catch (err) {
    return toErrorResponse(err);
  }
}
