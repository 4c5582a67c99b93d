import 'server-only';
import { clip, HttpError } from '@/lib/http';

/** Which parser a Content-Type selects. */
export type BodyFormat = 'json' | 'prometheus';

/**
 * JSON, or the Prometheus text format (`text/plain`, optionally `; version=0.0.4`). OpenMetrics is
 * not accepted: its timestamps are seconds, and read as milliseconds they would land in 1970.
 */
export function bodyFormat(contentType: string | null): BodyFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'text/plain') return 'prometheus';
  throw new HttpError(
    415,
    `unsupported Content-Type ${clip(contentType ?? '')}: send application/json or text/plain (Prometheus text format)`,
  );
}

/** How long the rest of a refused body is read for at most (see drain). */
const DRAIN_MS = 2_000;

/**
 * Reads and discards the rest of a refused body (declared too large, or found so while reading),
 * at most `maxBytes` more within DRAIN_MS, then
 * stops reading. A client still sending its body then reads the 413 instead of a broken pipe
 * (a socket closed under a write fails the request without its answer: EPIPE); one sending more
 * than that is cut off.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DRAIN_MS)));
  try {
    for (let left = maxBytes; left > 0; ) {
      const chunk = await Promise.race([reader.read(), expired]);
      if (!chunk || chunk.done) return;
      left -= chunk.value.byteLength;
    }
  } catch {
    // The client went away: nothing more to read.
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

/**
 * Reads the body as UTF-8, refusing more than `maxBytes` — from Content-Length when it is sent,
 * while reading when it is not (chunked), so an oversize body is never buffered whole.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  // The rest of the body may stay unread (see drain): close the connection so it is not reused mid-body.
  const tooLarge = () =>
    new HttpError(413, `body larger than ${maxBytes} bytes (INGEST_MAX_BODY_BYTES): split it into smaller requests`, [], {
      Connection: 'close',
    });
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (!request.body) {
    if (declared > maxBytes) throw tooLarge();
    return '';
  }
  const reader = request.body.getReader();
  if (declared > maxBytes) {
    // Refused on its Content-Length, before a byte is kept; what is on its way is read and dropped (see drain).
    await drain(reader, maxBytes);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader, maxBytes);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'body is not valid UTF-8');
  }
}
