import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server';

const INSTALL_HINT = 'Tests of the Redis bus start their own redis-server and none was found. Install it: apt-get install -y redis-server (or set REDIS_SERVER_PATH)';

/** The redis-server binary: REDIS_SERVER_PATH, else the one on PATH; fails saying what to install. */
export function redisServerPath(): string {
  const configured = process.env.REDIS_SERVER_PATH;
  if (configured) return configured;
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) throw new Error(INSTALL_HINT);
  return bin;
}

/** A redis-server of the test's own, on a free loopback port, with AOF fsynced on every write. */
export interface TestRedis {
  port: number;
  url: string;
  /** Everything the server printed. */
  output(): string;
  /** `kill -9`: no shutdown, no final save; the AOF on disk is all that survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory (after kill). */
  restart(): Promise<void>;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server with `--appendonly yes --appendfsync always` in a fresh directory, as
 * docs/redis.md recommends for no acknowledged write lost, never touching the machine's own Redis.
 */
export async function startRedis(): Promise<TestRedis> {
  const bin = redisServerPath();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'pulseboard-redis-'));
  let child: ChildProcess | undefined;
  let out = '';
  const launch = async () => {
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let failed: Error | undefined;
    proc.once('error', (err) => (failed = err));
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (failed) throw new Error(`cannot run ${bin} (${failed.message}). ${INSTALL_HINT}`);
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await gone;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    output: () => out,
    kill: () => kill('SIGKILL'),
    restart: launch,
    async stop() {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when something on `port` answers PING with PONG. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
