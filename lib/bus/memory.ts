import type { Batch, Bus, BusListener, BusMessage, BusStatus, Cursor } from './types';

/**
 * The embedded bus: synchronous, in-order delivery inside one process.
 * Cursors are `<epoch>-<seq>` with the epoch taken at start, so ids from an earlier run
 * can never be mistaken for ids of this one.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly epoch: string;
  private seq = 0;
  private listeners = new Set<BusListener>();
  private last: Cursor | null = null;
  private readonly startedAt = Date.now();

  /**
   * `epoch` and `seq` continue a log kept on disk (DATA_DIR): cursors handed out before a
   * restart stay valid after it. Without them, a new epoch from the clock.
   */
  constructor(epoch: number | string = Date.now(), seq = 0) {
    this.epoch = typeof epoch === 'string' ? epoch : epoch.toString(36);
    this.seq = seq;
  }

  get lastId(): Cursor | null {
    return this.last;
  }

  publish(batch: Batch): Promise<Cursor> {
    const message: BusMessage = { ...batch, id: `${this.epoch}-${++this.seq}` };
    this.last = message.id;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (err) {
        // One faulty subscriber must not starve the others (or the publisher).
        console.error('[pulseboard] bus listener failed:', err);
      }
    }
    return Promise.resolve(message.id);
  }

  publishBuffered(batch: Batch): void {
    void this.publish(batch);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  caughtUp(): Promise<void> {
    return Promise.resolve();
  }

  status(): BusStatus {
    return { state: 'up', since: this.startedAt, lastError: null, outbox: { batches: 0, bytes: 0, dropped: 0 }, invalidEntries: 0 };
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
