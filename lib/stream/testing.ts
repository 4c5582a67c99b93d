// Helpers shared by the stream tests (not imported by Pulseboard itself).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { expect } from 'vitest';
import type { BusMessage } from '@/lib/bus';
import type { MetricMeta } from '@/lib/schema';
import { compileSeriesFilter, typeFromName, type Sample, type SeriesFilter } from '@/lib/series';
import type { Announced } from '@/lib/store';
import { unitFromName } from '@/lib/units';
import { BatchAssembler, decodeEvent } from '@/lib/wire';
import { nameOf } from './encode';
import { Hub, type HubOptions } from './hub';

export type Reader = ReadableStreamDefaultReader<Uint8Array>;

const decoder = new TextDecoder();
export const ALL = compileSeriesFilter([]);
export const CPU = compileSeriesFilter(['host_cpu_*']);

const hubs: Hub[] = [];

/** A hub that `drainHubs` drains after the test, so no heartbeat outlives it. */
export function hub(options: Partial<HubOptions> = {}): Hub {
  const h = new Hub({ heartbeatMs: 15_000, retryMs: 1_000, maxQueueBytes: 1 << 20, ...options });
  hubs.push(h);
  return h;
}

/** Drains every hub made since the last call (for `afterEach`). */
export function drainHubs(): void {
  for (const h of hubs.splice(0)) h.drain();
}

/** The next chunk of a stream as text; fails when the stream has ended. */
export async function next(reader: Reader): Promise<string> {
  const { value, done } = await reader.read();
  if (done) throw new Error('stream ended');
  return decoder.decode(value);
}

/** Reads a stream to its end; the chunks it still held, as text. */
export async function rest(reader: Reader): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push(decoder.decode(value));
  }
}

/** Reads chunks until one carries the `live` event; all of them, as text. */
export async function untilLive(reader: Reader): Promise<string[]> {
  const chunks: string[] = [];
  while (!chunks.at(-1)?.includes('event: live\n')) chunks.push(await next(reader));
  return chunks;
}

/** Events, retry hints and comments in `text`, read by eventsource-parser. */
export function parse(text: string): { events: EventSourceMessage[]; retries: number[]; comments: string[] } {
  const out = { events: [] as EventSourceMessage[], retries: [] as number[], comments: [] as string[] };
  createParser({
    onEvent: (e) => out.events.push(e),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (c) => out.comments.push(c),
  }).feed(text);
  return out;
}

/** The samples of the `points` events in `text`, in order. */
export function pointsIn(text: string): Sample[] {
  return parse(text)
    .events.filter((e) => e.event === 'points')
    .flatMap((e) => (JSON.parse(e.data) as { points: Sample[] }).points);
}

/** Opens a stream and reads past its opening `retry:` line. */
export async function openPastHello(h: Hub, filter: SeriesFilter = ALL, signal?: AbortSignal): Promise<Reader> {
  const reader = h.open(filter, { signal }).getReader();
  expect(parse(await next(reader)).retries).toHaveLength(1);
  return reader;
}

export function message(id: string, samples: Sample[]): BusMessage {
  return { id, samples };
}

/** A message that announces nothing. */
export const NONE: Announced = { series: [], metrics: [] };

/** Announces series `keys`, with the description their names give (and `help`, if any). */
export function announce(keys: string[], help?: string): Announced {
  const names = [...new Set(keys.map(nameOf))];
  return { series: keys, metrics: names.map((name) => ({ name, unit: unitFromName(name), type: typeFromName(name), ...(help !== undefined && { help }) })) };
}

/**
 * A client as the browser's stream source is one (lib/wire's BatchAssembler): it applies whole
 * batches only, remembers the last id it saw, and drops an unfinished batch when the connection
 * breaks. (Ids of `: ping` comments are not seen: eventsource-parser dispatches no empty event.)
 */
export class Client {
  readonly points: Sample[] = [];
  readonly series: string[] = [];
  readonly metrics: MetricMeta[] = [];
  lastId: string | null;
  private readonly batches = new BatchAssembler();

  constructor(since: string | null = null) {
    this.lastId = since;
  }

  /** Takes a chunk of the stream (whole events: the hub never splits one). */
  feed(text: string): void {
    for (const e of parse(text).events) {
      if (e.id !== undefined) this.lastId = e.id;
      if (e.event !== 'points' && e.event !== 'series') continue;
      const whole = this.batches.take(e.event === 'points' ? decodeEvent('points', e.data) : decodeEvent('series', e.data));
      if (!whole) continue;
      for (const m of whole.announced?.metrics ?? []) this.metrics.push(m);
      for (const k of whole.announced?.series ?? []) this.series.push(k);
      for (const p of whole.points) this.points.push(p);
    }
  }

  /** The connection broke: what an unfinished batch brought is forgotten. */
  disconnect(): void {
    this.batches.drop();
  }
}
