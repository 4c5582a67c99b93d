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

/**
 * Reads the body as UTF-8, refusing more than `maxBytes` — from Content-Length when it is sent,
 * while reading when it is not (chunked), so an oversize body is never buffered whole.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  // The rest of the body stays unread: close the connection so it is not reused mid-body.
  const tooLarge = () =>
    new HttpError(413, `body larger than ${maxBytes} bytes (INGEST_MAX_BODY_BYTES): split it into smaller requests`, [], {
      Connection: 'close',
    });
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
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
