import fs from 'node:fs';
import path from 'node:path';

/** A file's text, and whether it was cut at the byte cap (then at its last complete line). */
export interface CappedText {
  text: string;
  truncated: boolean;
}

/** Default cap for a /proc or /sys file: the largest Pulseboard reads whole (diskstats, mounts) stay far below it. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

const CHUNK = 64 * 1024;
const scratch = Buffer.allocUnsafe(CHUNK);

/**
 * Reads at most `maxBytes` of a file, synchronously, as /proc files must be read (their size reads
 * as 0, so they are read until EOF). Cut text ends at its last newline, so no parser sees half a
 * line. Null when the file is missing or unreadable (ENOENT, EACCES, EOPNOTSUPP from a disabled PSI).
 *
 * `maxRecord`, for files whose lines are known to be shorter (/proc/net/tcp, /proc/<pid>/stat): a
 * read that leaves more than that much of the buffer unfilled is taken as the end of the file. The
 * kernel's seq_file only stops short of the buffer when the next line does not fit, and every read
 * of /proc/net/tcp walks the whole socket hash table (about 2 ms on a 24 GiB host), so the read
 * that would only confirm the end is worth saving.
 */
export function readCapped(file: string, maxBytes: number = DEFAULT_MAX_BYTES, maxRecord?: number): CappedText | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    // The latest read, still in the shared scratch buffer: copied out only if another read follows.
    let pending: Buffer | undefined;
    let total = 0;
    let truncated = false;
    // One byte past the cap tells a file of exactly maxBytes from a longer one.
    const reads = Math.ceil((maxBytes + 1) / CHUNK) + 1;
    for (let i = 0; i < reads; i++) {
      if (pending) chunks.push(Buffer.from(pending));
      pending = undefined;
      const want = Math.min(CHUNK, maxBytes + 1 - total);
      const n = fs.readSync(fd, scratch, 0, want, null);
      if (n === 0) break;
      pending = scratch.subarray(0, n);
      total += n;
      if (total > maxBytes) {
        truncated = true;
        break;
      }
      if (maxRecord !== undefined && want - n > maxRecord) break;
    }
    if (pending) chunks.push(pending);
    let buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (truncated) {
      const nl = maxBytes > 0 ? buf.lastIndexOf(10, maxBytes - 1) : -1;
      buf = buf.subarray(0, nl < 0 ? 0 : nl + 1);
    }
    return { text: buf.toString('utf8'), truncated };
  } catch {
    return null;
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing to do: the descriptor is gone either way.
    }
  }
}

/** Reads files under a root directory: `/` on a host, a fixture tree in tests, `/host` for a containerised collector. */
export interface RootReader {
  /** The absolute path of `relative` under the root. */
  resolve(relative: string): string;
  /** The text of a file under the root, or null (see readCapped). */
  text(relative: string, maxBytes?: number, maxRecord?: number): string | null;
  /** The text and truncation of a file under the root, or null. */
  capped(relative: string, maxBytes: number, maxRecord?: number): CappedText | null;
  /** Whether a path under the root exists. */
  exists(relative: string): boolean;
}

/** A RootReader for `root`, resolved once. */
export function createRootReader(root: string): RootReader {
  const base = path.resolve(root);
  const resolve = (relative: string) => path.join(base, relative);
  return {
    resolve,
    text: (relative, maxBytes, maxRecord) => readCapped(resolve(relative), maxBytes, maxRecord)?.text ?? null,
    capped: (relative, maxBytes, maxRecord) => readCapped(resolve(relative), maxBytes, maxRecord),
    exists: (relative) => {
      try {
        return fs.existsSync(resolve(relative));
      } catch {
        return false;
      }
    },
  };
}
