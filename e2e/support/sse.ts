import http from 'node:http';
import { Readable } from 'node:stream';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseRecord {
  events: EventSourceMessage[];
  comments: string[];
  retries: number[];
}

/**
 * GETs `url` from the local address `localAddress` (Linux routes all of 127/8 to loopback, so
 * 127.0.0.2 is another client to a server on 127.0.0.1), answered as a fetch Response.
 */
export function fetchFrom(localAddress: string, url: string, { headers, signal }: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { localAddress, headers, signal }, (res) => {
      const head = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') head.set(name, value);
      resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode, headers: head }));
    });
    request.once('error', reject);
    request.end();
  });
}

/**
 * Reads a `text/event-stream` body with an independent parser until `until` holds or the time
 * runs out; returns what arrived and the response. Always aborts the request at the end.
 * With `localAddress`, the request comes from that address (see `fetchFrom`).
 */
export async function readEvents(
  url: string,
  {
    until,
    timeoutMs = 10_000,
    headers,
    localAddress,
  }: { until: (r: SseRecord) => boolean; timeoutMs?: number; headers?: Record<string, string>; localAddress?: string },
): Promise<SseRecord & { response: Response }> {
  const record: SseRecord = { events: [], comments: [], retries: [] };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = localAddress
    ? await fetchFrom(localAddress, url, { headers, signal: controller.signal })
    : await fetch(url, { signal: controller.signal, headers });
  const parser = createParser({
    onEvent: (e) => record.events.push(e),
    onComment: (c) => record.comments.push(c),
    onRetry: (r) => record.retries.push(r),
  });
  const decoder = new TextDecoder();
  try {
    const reader = response.body!.getReader();
    while (!until(record)) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { ...record, response };
}

/** The values `points` events carried for one series, in the order they came. */
export function valuesOf(r: SseRecord, series: string): number[] {
  return r.events
    .filter((e) => e.event === 'points')
    .flatMap((e) => (JSON.parse(e.data) as { points: Array<{ series: string; v: number }> }).points)
    .filter((p) => p.series === series)
    .map((p) => p.v);
}

/** `/api/health` of a server. */
export async function health(baseURL: string): Promise<{ streams: { open: number }; series: { count: number } }> {
  const res = await fetch(`${baseURL}/api/health`);
  return res.json();
}
