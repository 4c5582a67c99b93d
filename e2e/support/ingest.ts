/** POSTs a body to `/api/ingest`; returns status and parsed JSON. */
export async function post(
  baseURL: string,
  body: BodyInit | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; json: { error?: string; issues?: Array<{ path: string; message: string }>; accepted?: number; skipped?: number } }> {
  const res = await fetch(`${baseURL}/api/ingest`, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: `non-JSON response: ${text.slice(0, 200)}` };
  }
  return { status: res.status, json };
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
