import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { chunkPoints } from './chunk';
import { FRAME_HEADER, FRAME_MAGIC, forEachFrame, frame, scanFrames } from './frame';

/*
 * A block file: the chunks of many series, one frame per (series, tier, hour), then an index frame
 * and an 8-byte trailer pointing at it. Written to a temporary name, fsync'd and renamed, so a
 * block is either whole or absent after a crash; damage from outside (a flipped bit, a cut file)
 * costs the frames it touches: a bad index is rebuilt by scanning the frames, a bad frame is
 * skipped and counted.
 *
 *   frame payload: u32 series id | u8 tier | f64 hour start | u32 n | n × u32 chunk length | chunks
 *   index payload: u32 0xffffffff | u32 n | n × (u32 id, u8 tier, f64 hour, u32 offset, u32 length)
 *   trailer: u32 offset of the index frame | u32 "PBBK"
 */

export type Tier = 'raw' | 'm1' | 'h1';
const TIER_CODE: Record<Tier, number> = { raw: 0, m1: 1, h1: 2 };
const TIER_OF = ['raw', 'm1', 'h1'] as const;
const TRAILER_MAGIC = 0x4b424250;
const INDEX_ID = 0xffffffff;
const INDEX_ENTRY = 21;
/** Most bytes one frame of a block may hold. */
export const BLOCK_MAX_FRAME = 256 * 1024 ** 2;

/** Where one (series, tier, hour) is in a block. */
export interface BlockEntry {
  id: number;
  tier: Tier;
  hour: number;
  offset: number;
  length: number;
}

/** A block's chunks of one series, tier and hour, before writing. */
export interface BlockPart {
  id: number;
  tier: Tier;
  hour: number;
  chunks: Uint8Array[];
}

function encodePart(part: BlockPart): Buffer {
  const size = 17 + 4 * part.chunks.length + part.chunks.reduce((n, c) => n + c.length, 0);
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt32LE(part.id, 0);
  at = out.writeUInt8(TIER_CODE[part.tier], at);
  at = out.writeDoubleLE(part.hour, at);
  at = out.writeUInt32LE(part.chunks.length, at);
  for (const c of part.chunks) at = out.writeUInt32LE(c.length, at);
  for (const c of part.chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Decodes a frame payload into its part; throws on anything malformed. */
export function decodePart(payload: Buffer): BlockPart {
  if (payload.length < 17) throw new Error('block frame too short');
  const id = payload.readUInt32LE(0);
  const tier = TIER_OF[payload.readUInt8(4)];
  if (!tier) throw new Error('block frame has an unknown tier');
  const hour = payload.readDoubleLE(5);
  const n = payload.readUInt32LE(13);
  let at = 17 + 4 * n;
  if (at > payload.length) throw new Error('block frame lists more chunks than it holds');
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const length = payload.readUInt32LE(17 + 4 * i);
    if (at + length > payload.length) throw new Error('block frame chunk runs past its end');
    chunks.push(payload.subarray(at, at + length));
    at += length;
  }
  return { id, tier, hour, chunks };
}

/**
 * The points each part of a block (its bytes, see BlockFileReader) holds by its chunks' headers, for
 * sizing buffers before the block is read for real: frames are walked by their lengths without checking CRCs or keeping
 * anything (a damaged frame ends the walk; readAllParts reports damage).
 */
export function countParts(bytes: Buffer, visit: (id: number, tier: Tier, hour: number, points: number) => void): void {
  for (let at = 0; at + FRAME_HEADER <= bytes.length; ) {
    if (bytes.readUInt32LE(at) !== FRAME_MAGIC) return;
    const length = bytes.readUInt32LE(at + 4);
    const start = at + FRAME_HEADER;
    const end = start + length;
    if (end > bytes.length || length < 17) return;
    at = end;
    const id = bytes.readUInt32LE(start);
    if (id === INDEX_ID) continue;
    const tier = TIER_OF[bytes.readUInt8(start + 4)];
    const n = bytes.readUInt32LE(start + 13);
    if (!tier || 17 + 4 * n > length) return;
    let points = 0;
    let chunk = start + 17 + 4 * n;
    for (let i = 0; i < n && chunk < end; i++) {
      points += chunkPoints(bytes, chunk);
      chunk += bytes.readUInt32LE(start + 17 + 4 * i);
    }
    visit(id, tier, bytes.readDoubleLE(start + 5), points);
  }
}

/** Parts writeBlockSteps writes between two of its steps. */
const PARTS_PER_STEP = 256;

/**
 * Writes `parts` as a block at `file` (via a temporary file, fsync'd, then renamed), one step of
 * PARTS_PER_STEP parts each time it is resumed: a caller can let the event loop run between steps
 * (writeBlockSliced). Returns the block's size.
 */
export function* writeBlockSteps(file: string, parts: Iterable<BlockPart>): Generator<void, number, void> {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let done = false;
  try {
    const entries: BlockEntry[] = [];
    let offset = 0;
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (pending.length === 0) return;
      fs.writeSync(fd, Buffer.concat(pending, pendingBytes));
      pending.length = 0;
      pendingBytes = 0;
    };
    for (const part of parts) {
      const bytes = frame(encodePart(part));
      entries.push({ id: part.id, tier: part.tier, hour: part.hour, offset, length: bytes.length });
      pending.push(bytes);
      pendingBytes += bytes.length;
      offset += bytes.length;
      if (pendingBytes > 1024 ** 2) flush();
      if (entries.length % PARTS_PER_STEP === 0) yield;
    }
    entries.sort(compareEntries);
    const index = Buffer.allocUnsafe(8 + entries.length * INDEX_ENTRY);
    let at = index.writeUInt32LE(INDEX_ID, 0);
    at = index.writeUInt32LE(entries.length, at);
    for (const e of entries) {
      at = index.writeUInt32LE(e.id, at);
      at = index.writeUInt8(TIER_CODE[e.tier], at);
      at = index.writeDoubleLE(e.hour, at);
      at = index.writeUInt32LE(e.offset, at);
      at = index.writeUInt32LE(e.length, at);
    }
    pending.push(frame(index));
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(offset, 0);
    trailer.writeUInt32LE(TRAILER_MAGIC, 4);
    pending.push(trailer);
    pendingBytes += pending.at(-2)!.length + 8;
    flush();
    fs.fsyncSync(fd);
    done = true;
  } finally {
    fs.closeSync(fd);
    // A block that could not be written whole (a full disk) leaves nothing behind.
    if (!done) fs.rmSync(tmp, { force: true });
  }
  fs.renameSync(tmp, file);
  return fs.statSync(file).size;
}

/** Writes `parts` as a block at `file` in one go (see writeBlockSteps); returns its size. */
export function writeBlock(file: string, parts: Iterable<BlockPart>): number {
  const steps = writeBlockSteps(file, parts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Writes `parts` as a block at `file`, awaiting `pause()` between steps (see writeBlockSteps); returns its size. */
export async function writeBlockSliced(file: string, parts: Iterable<BlockPart>, pause: () => Promise<void> | undefined): Promise<number> {
  const steps = writeBlockSteps(file, parts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** The order of a block's index: by series, tier, then hour. */
export function compareEntries(a: BlockEntry, b: BlockEntry): number {
  return a.id - b.id || TIER_CODE[a.tier] - TIER_CODE[b.tier] || a.hour - b.hour;
}

/** A block's index, and what was wrong with the file if anything. */
export interface BlockIndex {
  entries: BlockEntry[];
  /** Frames found damaged while reading the index (the index itself, or frames when it had to be rebuilt). */
  damaged: number;
}

/** Reads a block's index; rebuilds it from the frames when the trailer or the index is damaged. */
export function readBlockIndex(file: string): BlockIndex {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size >= 8 + FRAME_HEADER) {
      const trailer = Buffer.alloc(8);
      fs.readSync(fd, trailer, 0, 8, size - 8);
      const offset = trailer.readUInt32LE(0);
      if (trailer.readUInt32LE(4) === TRAILER_MAGIC && offset < size - 8) {
        const frameBytes = Buffer.alloc(size - 8 - offset);
        fs.readSync(fd, frameBytes, 0, frameBytes.length, offset);
        const scan = scanFrames(frameBytes, frameBytes.length);
        const payload = scan.payloads[0];
        if (scan.payloads.length === 1 && payload && payload.readUInt32LE(0) === INDEX_ID) {
          const index = parseIndex(payload, offset);
          if (index) return { entries: index, damaged: 0 };
        }
      }
    }
    // The index cannot be trusted: find the frames themselves.
    const bytes = Buffer.alloc(size);
    fs.readSync(fd, bytes, 0, size, 0);
    const entries: BlockEntry[] = [];
    let damaged = 1;
    let at = 0;
    // scanFrames gives payloads; their offsets follow from the payload views' positions.
    const scan = scanFrames(bytes, BLOCK_MAX_FRAME);
    damaged += scan.damaged;
    for (const payload of scan.payloads) {
      if (payload.length >= 4 && payload.readUInt32LE(0) === INDEX_ID) continue;
      at = payload.byteOffset - bytes.byteOffset - FRAME_HEADER;
      try {
        const part = decodePart(payload);
        entries.push({ id: part.id, tier: part.tier, hour: part.hour, offset: at, length: payload.length + FRAME_HEADER });
      } catch {
        damaged++;
      }
    }
    entries.sort(compareEntries);
    return { entries, damaged };
  } finally {
    fs.closeSync(fd);
  }
}

/** What parseIndex checks, without making the entries. */
function indexIsSound(payload: Buffer, limit: number): boolean {
  const n = payload.readUInt32LE(4);
  if (payload.length !== 8 + n * INDEX_ENTRY) return false;
  for (let i = 0, at = 8; i < n; i++, at += INDEX_ENTRY) {
    if (payload.readUInt8(at + 4) > 2 || payload.readUInt32LE(at + 13) + payload.readUInt32LE(at + 17) > limit) return false;
  }
  return true;
}

function parseIndex(payload: Buffer, limit: number): BlockEntry[] | undefined {
  const n = payload.readUInt32LE(4);
  if (payload.length !== 8 + n * INDEX_ENTRY) return undefined;
  const entries: BlockEntry[] = [];
  for (let i = 0, at = 8; i < n; i++, at += INDEX_ENTRY) {
    const tier = TIER_OF[payload.readUInt8(at + 4)];
    const offset = payload.readUInt32LE(at + 13);
    const length = payload.readUInt32LE(at + 17);
    if (!tier || offset + length > limit) return undefined;
    entries.push({ id: payload.readUInt32LE(at), tier, hour: payload.readDoubleLE(at + 5), offset, length });
  }
  return entries;
}

/** The entries of `index` for one series and tier (binary search: the index is sorted). */
export function entriesOf(index: BlockIndex, id: number, tier: Tier): BlockEntry[] {
  const { entries } = index;
  let lo = 0;
  let hi = entries.length;
  const code = TIER_CODE[tier];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    if (e.id < id || (e.id === id && TIER_CODE[e.tier] < code)) lo = mid + 1;
    else hi = mid;
  }
  const out: BlockEntry[] = [];
  for (let i = lo; i < entries.length && entries[i]!.id === id && entries[i]!.tier === tier; i++) out.push(entries[i]!);
  return out;
}

/** Index entries a BlockDirectory keeps one series id of (and reads at once). */
const DIRECTORY_STEP = 64;

/**
 * What a lookup in a block needs kept in memory: where its index's entries are in the file and the
 * series id of every DIRECTORY_STEP-th of them (about 0.06 bytes an entry), so that one lookup
 * reads a few hundred bytes of the index, not all of it (a day block of 1-minute rollups of
 * 10,000 series has 240,000 entries: 5 MB). The index is checked whole (its CRC) once, when the
 * directory is made. A block whose index is damaged keeps its entries, rebuilt from its frames.
 */
export interface BlockDirectory {
  /** File offset of the first entry (u32 id, u8 tier, f64 hour, u32 offset, u32 length each), and how many there are. */
  at: number;
  count: number;
  ids: Uint32Array;
  /** Set instead when the index had to be rebuilt. */
  entries?: BlockEntry[];
  damaged: number;
}

/** Reads a block's index once and keeps its directory (see BlockDirectory). */
export function readBlockDirectory(file: string): BlockDirectory {
  const fd = fs.openSync(file, 'r');
  let trailerAt = -1;
  try {
    const size = fs.fstatSync(fd).size;
    if (size >= 8 + FRAME_HEADER) {
      const trailer = Buffer.alloc(8);
      fs.readSync(fd, trailer, 0, 8, size - 8);
      if (trailer.readUInt32LE(4) === TRAILER_MAGIC && trailer.readUInt32LE(0) < size - 8) trailerAt = trailer.readUInt32LE(0);
      if (trailerAt >= 0) {
        const frameBytes = Buffer.alloc(size - 8 - trailerAt);
        fs.readSync(fd, frameBytes, 0, frameBytes.length, trailerAt);
        const scan = scanFrames(frameBytes, frameBytes.length);
        const payload = scan.payloads[0];
        if (scan.payloads.length === 1 && payload && payload.readUInt32LE(0) === INDEX_ID && indexIsSound(payload, trailerAt)) {
          const count = payload.readUInt32LE(4);
          const ids = new Uint32Array(Math.ceil(count / DIRECTORY_STEP));
          for (let k = 0; k < ids.length; k++) ids[k] = payload.readUInt32LE(8 + k * DIRECTORY_STEP * INDEX_ENTRY);
          return { at: trailerAt + FRAME_HEADER + 8, count, ids, damaged: 0 };
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  const index = readBlockIndex(file);
  return { at: 0, count: index.entries.length, ids: new Uint32Array(0), entries: index.entries, damaged: index.damaged };
}

/** The entries of one series and tier in a block, through its directory: reads what it needs of the index from `fd`. */
export function lookUp(directory: BlockDirectory, fd: number, id: number, tier: Tier): BlockEntry[] {
  if (directory.entries) return entriesOf({ entries: directory.entries, damaged: 0 }, id, tier);
  const { ids, count } = directory;
  // The last sampled entry below `id`: the series' entries start after it.
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  const code = TIER_CODE[tier];
  const out: BlockEntry[] = [];
  const window = Buffer.allocUnsafe(2 * DIRECTORY_STEP * INDEX_ENTRY);
  for (let first = Math.max(0, lo - 1) * DIRECTORY_STEP; first < count; first += 2 * DIRECTORY_STEP) {
    const n = Math.min(2 * DIRECTORY_STEP, count - first);
    if (fs.readSync(fd, window, 0, n * INDEX_ENTRY, directory.at + first * INDEX_ENTRY) !== n * INDEX_ENTRY) return out;
    for (let i = 0; i < n; i++) {
      const at = i * INDEX_ENTRY;
      const entryId = window.readUInt32LE(at);
      if (entryId > id) return out;
      const entryTier = window.readUInt8(at + 4);
      if (entryId < id || entryTier < code) continue;
      if (entryTier > code) return out;
      out.push({ id, tier, hour: window.readDoubleLE(at + 5), offset: window.readUInt32LE(at + 13), length: window.readUInt32LE(at + 17) });
    }
  }
  return out;
}

/** Reads one entry's part; undefined (the caller counts it) when its frame is damaged. */
export function readPart(fd: number, entry: BlockEntry): BlockPart | undefined {
  const bytes = Buffer.alloc(entry.length);
  if (fs.readSync(fd, bytes, 0, entry.length, entry.offset) !== entry.length) return undefined;
  if (bytes.length < FRAME_HEADER || crc32(bytes.subarray(FRAME_HEADER)) !== bytes.readUInt32LE(8)) return undefined;
  try {
    return decodePart(bytes.subarray(FRAME_HEADER));
  } catch {
    return undefined;
  }
}

/** Every intact part of a block, in file order, and how many frames were damaged. */
export function readAllParts(file: string): { parts: BlockPart[]; damaged: number } {
  const parts: BlockPart[] = [];
  const damaged = forEachPart(fs.readFileSync(file), (part) => void parts.push(part));
  return { parts, damaged };
}

/**
 * Reads whole files into one buffer, grown as needed and reused: a bulk reader going through many
 * blocks does not allocate each block's size afresh (on a start over 10,000 series those
 * allocations made the collector run again and again). A file's bytes are valid until the next read.
 */
export class BlockFileReader {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);

  read(file: string): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, this.buffer, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      return this.buffer.subarray(0, read);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Every intact part of the block in `bytes`, in file order, each handed to `visit` as it is found
 * (its chunks are views of `bytes`), without keeping a list of them: a list of 10,000 parts held
 * while their chunks were decoded was copied by every young-generation collection of a start.
 * Returns how many frames were damaged.
 */
export function forEachPart(bytes: Buffer, visit: (part: BlockPart) => void): number {
  let malformed = 0;
  const walk = forEachFrame(bytes, BLOCK_MAX_FRAME, (payload) => {
    if (payload.length >= 4 && payload.readUInt32LE(0) === INDEX_ID) return;
    let part: BlockPart;
    try {
      part = decodePart(payload);
    } catch {
      malformed++;
      return;
    }
    visit(part);
  });
  return malformed + walk.damaged + (walk.tailBytes > 8 ? 1 : 0);
}
