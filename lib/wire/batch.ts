import type { Sample } from '@/lib/schema';
import type { PointsPayload, SeriesPayload } from './events';

/** A batch as a client applies it: everything it announced, then all its samples (its id is its last piece's). */
export interface WholeBatch {
  announced: Pick<SeriesPayload, 'metrics' | 'series'> | undefined;
  points: Sample[];
}

/**
 * Puts a batch's pieces back together (see events.ts): pieces are held until the last one, which
 * hands back the whole batch; `drop()` forgets what a broken connection left unfinished, since the
 * resume replays that batch whole. The browser's stream source reads the stream through it.
 */
export class BatchAssembler {
  private announced: WholeBatch['announced'];
  private points: Sample[] = [];

  /** Takes one `series` or `points` event's data; the whole batch once this is its last piece. */
  take(payload: SeriesPayload | PointsPayload): WholeBatch | undefined {
    if ('metrics' in payload) {
      this.announced ??= { metrics: [], series: [] };
      for (const m of payload.metrics) this.announced.metrics.push(m);
      for (const k of payload.series) this.announced.series.push(k);
    } else {
      for (const p of payload.points) this.points.push(p);
    }
    if (payload.more) return undefined;
    const whole: WholeBatch = { announced: this.announced, points: this.points };
    this.drop();
    return whole;
  }

  /** Forgets the pieces of an unfinished batch. */
  drop(): void {
    this.announced = undefined;
    this.points = [];
  }
}
