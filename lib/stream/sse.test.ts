import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { encodeComment, encodeEvent, encodeRetry, SseFramingError, type SseEvent } from './sse';

interface Parsed {
  events: EventSourceMessage[];
  retries: number[];
  comments: string[];
  errors: ParseError[];
}

/** Parses `text` with eventsource-parser, an implementation independent of ours, optionally in pieces. */
function parse(text: string | readonly string[]): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [], errors: [] };
  const parser = createParser({
    onEvent: (e) => out.events.push(e),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (c) => out.comments.push(c),
    onError: (err) => out.errors.push(err),
  });
  for (const chunk of typeof text === 'string' ? [text] : text) parser.feed(chunk);
  return out;
}

/** The single event `text` holds, checking nothing else came with it. */
function parseOne(text: string): EventSourceMessage {
  const { events, errors } = parse(text);
  expect(errors).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0] as EventSourceMessage;
}

/** mulberry32: a small seeded PRNG, so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Characters that break naive SSE or JSON handling, and some ordinary ones.
const AWKWARD = [
  'a', 'Z', '0', ' ', ':', '"', '\\', '{', '}', ',', 'é', '中', '😀',
  '\n', '\r', '\r\n', '\n\n', '\0', '\u2028', '\u2029', '\ufeff', '\ud800', '\udfff', '\u0085',
  'data: ', 'id: ', 'event: ', 'retry: 1', ': ',
];

/** Up to `maxLength` picks from AWKWARD; neighbouring lone surrogates may pair up, which is fine. */
function randomString(random: () => number, maxLength: number): string {
  let s = '';
  const n = Math.floor(random() * maxLength);
  for (let i = 0; i < n; i++) s += AWKWARD[Math.floor(random() * AWKWARD.length)];
  return s;
}

/** Splits `text` at random places, as a network delivers it. */
function randomChunks(random: () => number, text: string): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(random() * 40);
    chunks.push(text.slice(i, i + n));
    i += n;
  }
  return chunks;
}

describe('SSE encoding', () => {
  it('encodes an event whose name, id and data come back equal', () => {
    const text = encodeEvent({ event: 'points', id: 'lq2x9-42', data: '{"points":[]}' });
    expect(text.endsWith('\n\n')).toBe(true);
    expect(parseOne(text)).toEqual({ event: 'points', id: 'lq2x9-42', data: '{"points":[]}' });
  });

  it('leaves out the event name and id when not given', () => {
    const text = encodeEvent({ data: 'hello' });
    expect(text).toBe('data: hello\n\n');
    expect(parseOne(text)).toEqual({ event: undefined, id: undefined, data: 'hello' });
  });

  it('keeps leading spaces, colons and field-like text of data, id and event', () => {
    const event: SseEvent = { event: ' spaced: name', id: ' id: 7 ', data: ' data: x\n: not a comment\nid: 9' };
    expect(parseOne(encodeEvent(event))).toEqual(event);
  });

  it('sends empty data and empty data lines', () => {
    expect(parseOne(encodeEvent({ data: '' })).data).toBe('');
    expect(parseOne(encodeEvent({ data: '\n\nx\n' })).data).toBe('\n\nx\n');
  });

  it('round-trips multi-line data, returning LF, CR and CRLF line breaks all as LF', () => {
    const data = 'one\ntwo\rthree\r\nfour\n\r\nfive';
    const text = encodeEvent({ event: 'log', data });
    // Every line break became its own data: field; no bare CR survives to confuse a parser.
    expect(text).not.toContain('\r');
    expect(text.match(/^data: /gm)).toHaveLength(6);
    expect(parseOne(text).data).toBe('one\ntwo\nthree\nfour\n\nfive');
  });

  it('round-trips JSON data holding U+2028, U+2029, lone surrogates and NUL exactly', () => {
    const value = { s: 'line\u2028sep\u2029para \ud800 lone \udfff x\0y\r\n"q"\\' };
    const data = JSON.stringify(value);
    // JSON.stringify escapes NUL, CR, LF and lone surrogates; U+2028/9 stay raw, which is
    // harmless since SSE breaks lines on CR and LF only.
    expect(data).not.toMatch(/[\r\n\0]/);
    expect(data).toContain('\\ud800');
    const parsed = parseOne(encodeEvent({ event: 'points', id: 'a-1', data }));
    expect(parsed.data).toBe(data);
    expect(JSON.parse(parsed.data)).toEqual(value);
  });

  it('round-trips JSON data through UTF-8 bytes, as the hub sends it', () => {
    const value = { s: '\ud83d lone high, \ude00 lone low, 😀 pair, \u2028, \0' };
    const bytes = new TextEncoder().encode(encodeEvent({ id: 'x-1', data: JSON.stringify(value) }));
    const parsed = parseOne(new TextDecoder().decode(bytes));
    expect(JSON.parse(parsed.data)).toEqual(value);
  });

  it.each([
    ['id', 'LF', 'a\nb'],
    ['id', 'CR', 'a\rb'],
    ['id', 'CRLF', 'a\r\nb'],
    ['id', 'NUL', 'a\0b'],
    ['event', 'LF', 'points\nid: 666'],
    ['event', 'CR', 'points\r'],
    ['event', 'NUL', '\0'],
  ] as const)('refuses an %s holding %s with SseFramingError', (field, _, value) => {
    const event: SseEvent = { data: 'x', [field]: value };
    expect(() => encodeEvent(event)).toThrow(SseFramingError);
    try {
      encodeEvent(event);
    } catch (err) {
      expect(err).toBeInstanceOf(SseFramingError);
      expect((err as SseFramingError).name).toBe('SseFramingError');
      expect((err as SseFramingError).field).toBe(field);
    }
  });

  it('encodes a comment that parsers ignore, even when the text has line breaks', () => {
    const text = encodeComment('ping');
    expect(text).toBe(': ping\n\n');
    expect(parse(text)).toEqual({ events: [], retries: [], comments: ['ping'], errors: [] });

    const multi = parse(encodeComment('one\ntwo\r\nthree\rdata: x'));
    expect(multi.events).toEqual([]);
    expect(multi.comments).toEqual(['one two three data: x']);
  });

  it('encodes a retry hint as a whole, non-negative number of milliseconds', () => {
    expect(parse(encodeRetry(2500)).retries).toEqual([2500]);
    expect(parse(encodeRetry(1234.6)).retries).toEqual([1235]);
    expect(parse(encodeRetry(-5)).retries).toEqual([0]);
    expect(parse(encodeRetry(0)).events).toEqual([]);
  });

  it('keeps consecutive events apart', () => {
    const text = [
      encodeRetry(3000),
      encodeEvent({ event: 'series', data: '{"a":1}' }),
      encodeComment('ping'),
      encodeEvent({ event: 'points', id: 'e-1', data: 'x\ny' }),
      encodeEvent({ event: 'points', id: 'e-2', data: 'z' }),
    ].join('');
    const { events, retries, comments } = parse(text);
    expect(retries).toEqual([3000]);
    expect(comments).toEqual(['ping']);
    expect(events).toEqual([
      { event: 'series', id: undefined, data: '{"a":1}' },
      { event: 'points', id: 'e-1', data: 'x\ny' },
      { event: 'points', id: 'e-2', data: 'z' },
    ]);
  });

  it('fuzz: 500 seeded JSON payloads with awkward strings round-trip exactly, in random chunks', () => {
    const random = prng(0x5eed);
    for (let i = 0; i < 500; i++) {
      const payload = {
        series: randomString(random, 20),
        points: [{ series: randomString(random, 12), t: i, v: random() }],
        help: randomString(random, 30),
      };
      const data = JSON.stringify(payload);
      // An id is text on the wire: no CR, LF or NUL (refused) and no lone surrogate (UTF-8 has none).
      const id = `e${i}-${randomString(random, 8).replace(/[\r\n\0\ud800-\udfff]/g, '')}`;
      const text = encodeEvent({ event: 'points', id, data });
      const bytes = new TextEncoder().encode(text);
      const decoded = new TextDecoder().decode(bytes);
      const { events, errors } = parse(randomChunks(random, decoded));
      expect(errors, `case ${i}`).toEqual([]);
      expect(events, `case ${i}: ${JSON.stringify(text)}`).toEqual([{ event: 'points', id, data }]);
      expect(JSON.parse((events[0] as EventSourceMessage).data), `case ${i}`).toEqual(payload);
    }
  });

  it('fuzz: 500 seeded raw strings come back with every CR, LF or CRLF as LF', () => {
    const random = prng(42);
    for (let i = 0; i < 500; i++) {
      const data = randomString(random, 40);
      const { events } = parse(randomChunks(random, encodeEvent({ data })));
      expect(events, `case ${i}: ${JSON.stringify(data)}`).toEqual([
        { event: undefined, id: undefined, data: data.replace(/\r\n|\r/g, '\n') },
      ]);
    }
  });
});
