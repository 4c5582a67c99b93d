import type { Sample, SeriesMeta } from '@/lib/series';

/**
 * Position in the bus's ordered log. Opaque to clients: it is the SSE `id:` and comes back
 * as `Last-Event-ID` or `since=`. The in-process bus writes `<epoch>-<seq>`.
 */
export type Cursor = string;

/** Points published together; `meta` describes series whose name alone does not (units, help). */
export interface Batch {
  samples: Sample[];
  meta?: SeriesMeta[];
}

/** A batch as delivered: every subscriber sees the same messages in the same order. */
export interface BusMessage extends Batch {
  id: Cursor;
}

export type BusListener = (message: BusMessage) => void;

/** Ordered publish/subscribe of point batches; the in-process bus and a Redis-backed one share it. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /** Resolves with the batch's cursor once every local subscriber has it (or it is durably stored). */
  publish(batch: Batch): Promise<Cursor>;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: BusListener): () => void;
  /** Cursor of the newest delivered message, or null before the first. */
  readonly lastId: Cursor | null;
  close(): Promise<void>;
}
