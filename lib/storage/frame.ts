import { crc32 } from 'node:zlib';

/*
 * Every record Pulseboard writes to disk is framed: a magic word, the payload's length and its
 * CRC-32, then the payload. A reader checks all three before it trusts a payload, and after a
 * damaged frame it looks for the next magic word, so one flipped bit costs one record, not the
 * rest of the file.
 */

/** Marks the start of a frame ("PBR1", little-endian). */
export const FRAME_MAGIC = 0x31524250;
const MAGIC = FRAME_MAGIC;
export const FRAME_HEADER = 12;

/** Frames `payload` (see above). */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(payload.length, 4);
  out.writeUInt32LE(crc32(payload), 8);
  out.set(payload, FRAME_HEADER);
  return out;
}

/** What a scan of framed bytes found. */
export interface FrameScan {
  /** Payloads of intact frames, in order (views into the scanned bytes). */
  payloads: Buffer[];
  /** Frames skipped as damaged (bad length or CRC) between intact ones. */
  damaged: number;
  /** Bytes after the last intact frame that do not form one: a torn tail when the file was being written. */
  tailBytes: number;
  /** Offset just past the last intact frame. */
  end: number;
}

/**
 * Reads the frames of `bytes`. After a damaged frame the search for the next magic word resumes
 * one byte on; a candidate's CRC is checked over its claimed length, capped by `maxPayload`, so
 * the work is the length plus at most `maxPayload` per false magic word inside damage.
 */
export function scanFrames(bytes: Buffer, maxPayload: number): FrameScan {
  const payloads: Buffer[] = [];
  const walk = forEachFrame(bytes, maxPayload, (payload) => void payloads.push(payload));
  return { payloads, ...walk };
}

/**
 * scanFrames without keeping anything: `visit` hears each intact payload (a view of `bytes`), in
 * order, as it is found (a bulk reader then holds no list of views while it works through them).
 */
export function forEachFrame(bytes: Buffer, maxPayload: number, visit: (payload: Buffer) => void): Omit<FrameScan, 'payloads'> {
  let damaged = 0;
  let at = 0;
  let end = 0;
  let inDamage = false;
  while (at + FRAME_HEADER <= bytes.length) {
    if (bytes.readUInt32LE(at) === MAGIC) {
      const length = bytes.readUInt32LE(at + 4);
      if (length <= maxPayload && at + FRAME_HEADER + length <= bytes.length) {
        const payload = bytes.subarray(at + FRAME_HEADER, at + FRAME_HEADER + length);
        if (crc32(payload) === bytes.readUInt32LE(at + 8)) {
          if (inDamage) damaged++;
          inDamage = false;
          visit(payload);
          at += FRAME_HEADER + length;
          end = at;
          continue;
        }
      }
    }
    inDamage = true;
    at++;
  }
  return { damaged, tailBytes: bytes.length - end, end };
}
