import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';

/**
 * Mounts a tmpfs of `size` at `dir` (a full disk to test against), runs `fn`, unmounts. Needs
 * root: without it the test fails saying so, it does not skip.
 */
export async function withSmallDisk<T>(dir: string, size: string, fn: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0) throw new Error(`this test mounts a ${size} tmpfs as DATA_DIR: run it as root (CI does), or mount one and point DATA_DIR at it`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    return await fn();
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

/** Writes `file` until its filesystem is full (bounded: a 2 MiB tmpfs takes 32 writes). */
export function fillUp(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < 1_000; i++) fs.writeSync(fd, Buffer.alloc(64 * 1024));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/** `test` with a `dataDir` fixture: a fresh DATA_DIR per test, kept across the restarts it makes, removed after. */
export const test = base.extend<{ dataDir: string }>({
  dataDir: async ({}, provide) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-data-'));
    await provide(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },
});
