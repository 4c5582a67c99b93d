import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockFileReader, entriesOf, forEachPart, lookUp, readAllParts, readBlockDirectory, readBlockIndex, writeBlock, type BlockPart, type Tier } from './block';
import { frame } from './frame';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function block(parts: BlockPart[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-block-'));
  dirs.push(dir);
  const file = path.join(dir, 'raw-0-3600000-1.blk');
  writeBlock(file, parts);
  return file;
}

const chunk = (seed: number, length: number) => Uint8Array.from({ length }, (_, i) => (seed * 31 + i) & 255);

function parts(): BlockPart[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    tier: (['raw', 'm1', 'h1'] as Tier[])[i % 3]!,
    hour: 3_600_000 * (i % 5),
    chunks: Array.from({ length: 1 + (i % 4) }, (_, c) => chunk(i * 7 + c, 20 + ((i * 13 + c) % 90))),
  }));
}

/** The chunks forEachPart visits, as [id, tier, hour, bytes] rows, and the damage it reports. */
function visited(bytes: Buffer): { rows: Array<[number, Tier, number, number[]]>; damaged: number } {
  const rows: Array<[number, Tier, number, number[]]> = [];
  const damaged = forEachPart(bytes, (p) => p.chunks.forEach((c) => rows.push([p.id, p.tier, p.hour, [...c]])));
  return { rows, damaged };
}

function fromParts(read: BlockPart[]): Array<[number, Tier, number, number[]]> {
  return read.flatMap((p) => p.chunks.map((c) => [p.id, p.tier, p.hour, [...c]] as [number, Tier, number, number[]]));
}

describe('forEachPart', () => {
  it('visits exactly the chunks readAllParts gives, in file order', () => {
    const file = block(parts());
    const { rows, damaged } = visited(new BlockFileReader().read(file));
    expect(damaged).toBe(0);
    expect(rows).toEqual(fromParts(parts()));
    expect(rows).toEqual(fromParts(readAllParts(file).parts));
  });

  it('skips a damaged frame and counts it as readAllParts does, visiting the rest', () => {
    const file = block(parts());
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x10;
    fs.writeFileSync(file, bytes);
    const all = readAllParts(file);
    const { rows, damaged } = visited(new BlockFileReader().read(file));
    expect(all.damaged).toBe(1);
    expect(damaged).toBe(all.damaged);
    expect(rows).toEqual(fromParts(all.parts));
    // One frame of forty lost, not the rest of the block.
    expect(new Set(rows.map((r) => r[0])).size).toBe(39);
  });

  it('counts a cut file once and visits what is whole', () => {
    const file = block(parts());
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const all = readAllParts(file);
    const { rows, damaged } = visited(new BlockFileReader().read(file));
    expect(damaged).toBe(all.damaged);
    expect(rows).toEqual(fromParts(all.parts));
  });
});

/** A part's payload as a block frame holds it, with `lengths` stated for its chunks whatever follows. */
function payload(id: number, tierCode: number, n: number, lengths: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(17 + 4 * lengths.length);
  head.writeUInt32LE(id, 0);
  head.writeUInt8(tierCode, 4);
  head.writeDoubleLE(3_600_000, 5);
  head.writeUInt32LE(n, 13);
  lengths.forEach((l, i) => head.writeUInt32LE(l >>> 0, 17 + 4 * i));
  return Buffer.concat([head, body]);
}

describe('forEachPart on parts whose frames are intact but whose contents are malformed', () => {
  it('skips each malformed part whole and counts it, as readAllParts does, and visits the parts around them', () => {
    const ok = (id: number) => payload(id, 0, 2, [3, 4], Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
    const frames = [
      ok(1),
      Buffer.from('too short'),
      payload(2, 9, 1, [3], Uint8Array.of(1, 2, 3)), // unknown tier
      payload(3, 0, 0xffffffff, [3], Uint8Array.of(1, 2, 3)), // more chunks listed than the frame holds
      payload(4, 1, 2, [3, 1000], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), // the second chunk runs past the end
      payload(5, 0, 2, [3, 0xffffffff], Uint8Array.of(1, 2, 3, 4)), // a length that would wrap in 32 bits
      ok(6),
    ].map((p) => frame(p));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-block-'));
    dirs.push(dir);
    const file = path.join(dir, 'l0-1-1.blk');
    fs.writeFileSync(file, Buffer.concat(frames));
    const all = readAllParts(file);
    const { rows, damaged } = visited(new BlockFileReader().read(file));
    expect(all.damaged).toBe(5);
    expect(damaged).toBe(5);
    // Not one chunk of a malformed part: part 4's first chunk is whole, but its part is not.
    expect(rows).toEqual([
      [1, 'raw', 3_600_000, [1, 2, 3]],
      [1, 'raw', 3_600_000, [4, 5, 6, 7]],
      [6, 'raw', 3_600_000, [1, 2, 3]],
      [6, 'raw', 3_600_000, [4, 5, 6, 7]],
    ]);
    expect(rows).toEqual(fromParts(all.parts));
  });
});

describe('BlockFileReader', () => {
  it('reads files larger and smaller than its buffer, each whole', () => {
    const reader = new BlockFileReader();
    const big = block(parts());
    const bigBytes = fs.readFileSync(big);
    const small = path.join(path.dirname(big), 'small');
    fs.writeFileSync(small, 'abc');
    const large = path.join(path.dirname(big), 'large');
    const largeBytes = Buffer.alloc(200_000, 7);
    fs.writeFileSync(large, largeBytes);
    expect(reader.read(big).equals(bigBytes)).toBe(true);
    expect(reader.read(large).equals(largeBytes)).toBe(true);
    expect(reader.read(small).toString()).toBe('abc');
    expect(reader.read(big).equals(bigBytes)).toBe(true);
  });
});

describe('BlockDirectory', () => {
  it('finds exactly the entries the whole index holds for every series and tier, reading only part of the index; a damaged index falls back to its frames', () => {
    // Series with 0 to 200 entries each, so runs of one series cross the directory's steps.
    const many: BlockPart[] = [];
    for (let id = 1; id <= 400; id += 1 + (id % 3)) {
      const hours = id === 97 ? 200 : id % 7;
      for (let h = 0; h < hours; h++) for (const tier of ['raw', 'm1'] as Tier[]) if (tier === 'raw' || h % 2 === 0) many.push({ id, tier, hour: h * 3_600_000, chunks: [chunk(id + h, 8)] });
    }
    const file = block(many);
    const whole = readBlockIndex(file);
    const directory = readBlockDirectory(file);
    expect(directory.entries).toBeUndefined();
    expect(directory.ids.length).toBeLessThan(whole.entries.length / 32);
    const fd = fs.openSync(file, 'r');
    try {
      for (let id = 0; id <= 402; id++) {
        for (const tier of ['raw', 'm1', 'h1'] as Tier[]) expect(lookUp(directory, fd, id, tier)).toEqual(entriesOf(whole, id, tier));
      }
      expect(lookUp(directory, fd, 97, 'raw')).toHaveLength(200);
    } finally {
      fs.closeSync(fd);
    }
    // The index's last byte flipped: its CRC fails, the entries are rebuilt from the frames.
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 9]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const rebuilt = readBlockDirectory(file);
    expect(rebuilt.entries).toBeDefined();
    expect(rebuilt.damaged).toBeGreaterThan(0);
    const fd2 = fs.openSync(file, 'r');
    try {
      expect(lookUp(rebuilt, fd2, 97, 'raw')).toEqual(entriesOf(whole, 97, 'raw'));
    } finally {
      fs.closeSync(fd2);
    }
  });
});
