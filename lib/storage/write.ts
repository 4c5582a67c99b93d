import fs from 'node:fs';

/** Writes `file` so that after a crash it is the old or the new content, fsync'd; a new file gets `mode`. */
export function writeFileDurably(file: string, text: string | Uint8Array, mode = 0o666): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    if (typeof text === 'string') fs.writeSync(fd, text);
    else fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
