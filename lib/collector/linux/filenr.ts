import { fieldsOf, forEachLine, parseCount } from './text';

/** File handles from /proc/sys/fs/file-nr. */
export interface FileNr {
  allocated: number;
  maximum: number;
}

/** Parses /proc/sys/fs/file-nr (`allocated  unused  maximum`); null unless all three are numbers. */
export function parseFileNr(text: string): FileNr | null {
  let out: FileNr | null = null;
  forEachLine(text, 1, (line) => {
    const f = fieldsOf(line);
    const allocated = parseCount(f[0]);
    const maximum = parseCount(f[2]);
    if (f.length === 3 && parseCount(f[1]) !== undefined && allocated !== undefined && maximum !== undefined) {
      out = { allocated, maximum };
    }
  });
  return out;
}
