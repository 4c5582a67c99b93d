/** An event in the `text/event-stream` format. */
export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}

export class SseFramingError extends Error {
  override readonly name = 'SseFramingError';
  constructor(
    readonly field: 'event' | 'id',
    value: string,
  ) {
    super(`SSE ${field} must not contain CR, LF or NUL: ${JSON.stringify(value)}`);
  }
}

// A CR or LF would end the field early; parsers ignore an id holding NUL.
// linear: one character class.
const UNSAFE_FIELD = /[\r\n\0]/;

/**
 * Encodes one event. `event` and `id` are single-line by the format, so CR, LF and NUL in them
 * are refused rather than silently altered; `data` may hold any line breaks (each line becomes
 * its own `data:` field, which the parser joins back with LF).
 */
export function encodeEvent({ event, id, data }: SseEvent): string {
  let out = '';
  if (event !== undefined) {
    if (UNSAFE_FIELD.test(event)) throw new SseFramingError('event', event);
    out += `event: ${event}\n`;
  }
  if (id !== undefined) {
    if (UNSAFE_FIELD.test(id)) throw new SseFramingError('id', id);
    out += `id: ${id}\n`;
  }
  // linear: fixed-length alternatives.
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, keeps proxies from timing the connection out. */
export function encodeComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The reconnection delay a client should use, in milliseconds. */
export function encodeRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}
