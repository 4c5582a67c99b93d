/** POSTs a body to `/api/ingest`; returns status and parsed JSON. */
export async function post(
  baseURL: string,
  body: BodyInit | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; headers: Headers; json: { error?: string; issues?: Array<{ path: string; message: string }>; accepted?: number; skipped?: number } }> {
  const res = await fetch(`${baseURL}/api/ingest`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: `non-JSON response: ${text.slice(0, 200)}` };
  }
  return { status: res.status, headers: res.headers, json };
}

/** POSTs `{"points": points}` as JSON. */
export function postPoints(baseURL: string, points: unknown[], extra: Record<string, unknown> = {}) {
  return post(baseURL, JSON.stringify({ points, ...extra }));
}

/** Keys of every series the server holds. */
export async function seriesKeys(baseURL: string): Promise<string[]> {
  const res = await fetch(`${baseURL}/api/series`);
  const body = (await res.json()) as { series: Array<{ key: string }> };
  return body.series.map((s) => s.key);
}

/**
 * Pushes 0, 1, 2, … to `name`, one point every `everyMs`, until stopped; `stop()` resolves with
 * how many were accepted (so the test knows exactly what a client must have received).
 */
export function pushSequence(baseURL: string, name: string, everyMs: number): { stop: () => Promise<number> } {
  let next = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      if ((await postPoints(baseURL, [{ name, value: next }])).status === 202) next++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return next;
  })();
  return {
    stop: () => {
      stopped = true;
      return done;
    },
  };
}
