import type { Batch } from '@/lib/schema';

export type { Batch };

/**
 * Position in the bus's ordered log. Opaque to clients: it is the SSE `id:` and comes back
 * as `Last-Event-ID` or `since=`. The in-process bus writes `<epoch>-<seq>`.
 */
export type Cursor = string;

/** A batch as delivered: every subscriber sees the same messages in the same order. */
export interface BusMessage extends Batch {
  id: Cursor;
}

export type BusListener = (message: BusMessage) => void;

/** `up`: publishing works. `down`: the shared store (Redis) is unreachable; the bus keeps retrying. */
export type BusState = 'connecting' | 'up' | 'down' | 'closed';

/** What `/api/health` and `/api/metrics` report of the bus. */
export interface BusStatus {
  state: BusState;
  /** When the bus entered `state` (ms since the epoch). */
  since: number;
  /** The last connection error, while not up. */
  lastError: string | null;
  /** Collector batches held while the bus was down, to be published on recovery. */
  outbox: { batches: number; bytes: number; dropped: number };
  /** Entries read from the shared stream that were not valid batches (skipped and logged). */
  invalidEntries: number;
}

const UNAVAILABLE = Symbol.for('pulseboard.busUnavailable');

/** Thrown by `publish` while the bus cannot store anything: ingest answers 503 and stores nothing. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  readonly [UNAVAILABLE] = true;

  /**
   * The bus lives in the instrumentation hook's module graph and route handlers in another,
   * each with its own copy of this class: `instanceof` across them is false, the brand is not.
   */
  static is(err: unknown): err is BusUnavailableError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[UNAVAILABLE] === true;
  }
}

/** Ordered publish/subscribe of point batches; the in-process bus and a Redis-backed one share it. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /**
   * Resolves with the batch's cursor once it is stored (in Redis, durably appended) and, within
   * a bounded wait, delivered to local subscribers; rejects with BusUnavailableError otherwise.
   */
  publish(batch: Batch): Promise<Cursor>;
  /**
   * Publishes without waiting and without failing: while the bus is down the batch is held in
   * a bounded outbox (oldest dropped first) and published, in order, on recovery. For the collector.
   */
  publishBuffered(batch: Batch): void;
  /** Resolves once the bus has loaded what it holds (Redis: the retained window), or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  /** Resolves once messages up to `cursor` have been delivered here, or after `timeoutMs`. */
  caughtUp(cursor: Cursor, timeoutMs: number): Promise<void>;
  status(): BusStatus;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: BusListener): () => void;
  /** Cursor of the newest delivered message, or null before the first. */
  readonly lastId: Cursor | null;
  close(): Promise<void>;
}
