import type { MetricMeta } from '@/lib/schema';

/*
 * A WAL record: one bus message as the store kept it. Series are numbered (ids held in the
 * catalog); a record defines the ids it uses that its segment has not defined yet, so each
 * segment can be read on its own.
 *
 *   u8 kind (1) | u16 n + cursor (utf8) | u8 origin (0 none, 1 collector) | u32 n + metrics JSON
 *   | u32 defs, each u32 id + u32 n + key (UTF-16LE: lossless, lone surrogates too) | u32 samples | ids u32[] | times f64[] | values f64[]
 */

const KIND_MESSAGE = 1;

export interface MessageRecord {
  cursor: string;
  collector: boolean;
  metrics: MetricMeta[];
  defs: Array<[id: number, key: string]>;
  ids: Uint32Array;
  times: Float64Array;
  values: Float64Array;
}

/** A record that cannot be read: kept apart from I/O errors so recovery can count it and go on. */
export class RecordError extends Error {
  override readonly name = 'RecordError';
}

export function encodeMessage(r: MessageRecord): Buffer {
  const cursor = Buffer.from(r.cursor, 'utf8');
  const metrics = r.metrics.length > 0 ? Buffer.from(JSON.stringify(r.metrics), 'utf8') : Buffer.alloc(0);
  const n = r.ids.length;
  let size = 1 + 2 + cursor.length + 1 + 4 + metrics.length + 4 + 4 + n * 20;
  for (const [, key] of r.defs) size += 8 + 2 * key.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(KIND_MESSAGE, 0);
  at = out.writeUInt16LE(cursor.length, at);
  at += cursor.copy(out, at);
  at = out.writeUInt8(r.collector ? 1 : 0, at);
  at = out.writeUInt32LE(metrics.length, at);
  at += metrics.copy(out, at);
  at = out.writeUInt32LE(r.defs.length, at);
  for (const [id, key] of r.defs) {
    at = out.writeUInt32LE(id, at);
    at = out.writeUInt32LE(2 * key.length, at);
    at += out.write(key, at, 'utf16le');
  }
  at = out.writeUInt32LE(n, at);
  // Columns, not rows: three bulk copies instead of 3n writes.
  Buffer.from(r.ids.buffer, r.ids.byteOffset, n * 4).copy(out, at);
  at += n * 4;
  Buffer.from(r.times.buffer, r.times.byteOffset, n * 8).copy(out, at);
  at += n * 8;
  Buffer.from(r.values.buffer, r.values.byteOffset, n * 8).copy(out, at);
  return out;
}

/** Decodes a record; throws RecordError when it is not one this version wrote. */
export function decodeMessage(bytes: Buffer): MessageRecord {
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new RecordError(`record ends early (${bytes.length} bytes)`);
  };
  need(1);
  const kind = bytes.readUInt8(at++);
  if (kind !== KIND_MESSAGE) throw new RecordError(`unknown record kind ${kind}`);
  need(2);
  const cursorLength = bytes.readUInt16LE(at);
  at += 2;
  need(cursorLength + 5);
  const cursor = bytes.toString('utf8', at, at + cursorLength);
  at += cursorLength;
  const collector = bytes.readUInt8(at++) === 1;
  const metricsLength = bytes.readUInt32LE(at);
  at += 4;
  need(metricsLength + 4);
  let metrics: MetricMeta[] = [];
  if (metricsLength > 0) {
    try {
      metrics = JSON.parse(bytes.toString('utf8', at, at + metricsLength)) as MetricMeta[];
    } catch {
      throw new RecordError('record metadata is not JSON');
    }
    if (!Array.isArray(metrics)) throw new RecordError('record metadata is not a list');
  }
  at += metricsLength;
  const defCount = bytes.readUInt32LE(at);
  at += 4;
  const defs: Array<[number, string]> = [];
  for (let i = 0; i < defCount; i++) {
    need(8);
    const id = bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    at += 8;
    need(length);
    if (length % 2 !== 0) throw new RecordError('record has a key of an odd number of bytes');
    defs.push([id, bytes.toString('utf16le', at, at + length)]);
    at += length;
  }
  need(4);
  const n = bytes.readUInt32LE(at);
  at += 4;
  if (bytes.length - at !== n * 20) throw new RecordError(`record holds ${bytes.length - at} bytes for ${n} samples`);
  // Copies: the record's bytes are not aligned for typed-array views.
  const ids = new Uint32Array(n);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  Buffer.from(ids.buffer).set(bytes.subarray(at, at + n * 4));
  at += n * 4;
  Buffer.from(times.buffer).set(bytes.subarray(at, at + n * 8));
  at += n * 8;
  Buffer.from(values.buffer).set(bytes.subarray(at, at + n * 8));
  return { cursor, collector, metrics, defs, ids, times, values };
}
