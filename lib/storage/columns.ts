import { encodeChunk } from './chunk';

/**
 * Points of one series not yet in a chunk: a time column and `width` value columns. Plain arrays
 * (V8 keeps them as unboxed doubles): a new series costs a few small allocations, where typed
 * arrays cost one buffer each, and 8,500 new series in one batch took 130 ms. Encoded into a
 * chunk only when cut (at CHUNK_POINTS, an hour's end, or a checkpoint), which keeps the chunk
 * coder's work off the write path.
 */
export class Columns {
  private t: number[] = [];
  private v: number[][];

  constructor(readonly width: number) {
    this.v = width === 1 ? [[]] : [[], [], [], [], []];
  }

  get length(): number {
    return this.t.length;
  }

  push(t: number, v0: number, v1 = 0, v2 = 0, v3 = 0, v4 = 0): void {
    this.t.push(t);
    const v = this.v;
    v[0]!.push(v0);
    if (this.width > 1) {
      v[1]!.push(v1);
      v[2]!.push(v2);
      v[3]!.push(v3);
      v[4]!.push(v4);
    }
  }

  /** The points as one encoded chunk (see chunk.ts); they stay here until `clear`. */
  encode(): Uint8Array {
    return encodeChunk(this.t, this.v, this.t.length);
  }

  /** Empties the columns (new arrays: a burst does not pin its memory). */
  clear(): void {
    this.t = [];
    this.v = this.width === 1 ? [[]] : [[], [], [], [], []];
  }
}
