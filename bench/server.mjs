// Starts a server under test on a free loopback port — Pulseboard's production build
// (`next start`) or the floor (bench/floor.mjs) — and stops it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * One bounded request on a fresh connection (a reused keep-alive socket that the server closed
 * while its event loop was blocked would fail, and say nothing of the server): status, body bytes
 * (counted as they stream, not held) and time; `timedOut` past `timeoutMs`.
 */
export function request(url, { method = 'GET', body, headers = {}, timeoutMs = 120_000 } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (result) => resolve({ status: 0, bytes: 0, timedOut: false, ...result, ms: performance.now() - started });
    const req = http.request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => done({ status: res.statusCode, bytes }));
      res.on('error', (err) => done({ error: err.code ?? err.message }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      done({ timedOut: true });
    });
    req.on('error', (err) => done({ error: err.code ?? err.message }));
    req.end(body);
  });
}

/** Resident set size of a process in KB, from /proc/<pid>/status. */
export function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function waitHealthy(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not become healthy`);
}

// Benches open thousands of streams from 127.0.0.1, far past one person's share: Pulseboard's
// stream caps are lifted so that they measure fan-out, not refusals (older builds ignore these).
const LIFTED_CAPS = { MAX_STREAMS_PER_CLIENT: '100000', STREAM_MAX_FILTERS: '100000', STREAM_MAX_CATCHUPS: '100000' };

/**
 * Starts `kind` ('pulseboard' or 'floor') with `node` (default: this Node) and `env`, from the
 * checkout `cwd` (default: this one); resolves once /api/health answers. Pulseboard runs with its
 * stream caps lifted unless `liftCaps` is false. `stop(graceMs)` sends SIGTERM, then SIGKILL after
 * `graceMs`, and resolves with whether it had to kill.
 */
export async function startServer(kind = 'pulseboard', { env = {}, node = process.execPath, cwd = process.cwd(), liftCaps = true } = {}) {
  if (kind === 'pulseboard' && !existsSync(path.join(cwd, '.next/BUILD_ID'))) throw new Error(`no production build in ${cwd}: run \`npm run build\` first`);
  const port = await freePort();
  const args =
    kind === 'pulseboard'
      ? ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1']
      : ['bench/floor.mjs'];
  // Each server its own empty DATA_DIR (history on disk is part of what is measured), removed on exit.
  const dataDir = kind === 'pulseboard' && env.DATA_DIR === undefined ? mkdtempSync(path.join(os.tmpdir(), 'pulseboard-bench-')) : undefined;
  const child = spawn(node, args, {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), ...(dataDir && { DATA_DIR: dataDir }), ...(kind === 'pulseboard' && liftCaps ? LIFTED_CAPS : {}), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (dataDir) child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return {
    kind,
    url,
    port,
    pid: child.pid,
    stop: (graceMs = 15_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ killed: false });
        let killed = false;
        const kill = setTimeout(() => ((killed = true), child.kill('SIGKILL')), graceMs);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve({ killed });
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Resolves once something on `port` answers a Redis PING. */
async function waitRedis(port, child) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (d) => (socket.destroy(), resolve(d.toString().startsWith('+PONG'))));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer (install it: apt-get install -y redis-server)`);
}

/**
 * Pulseboard scaled out: a redis-server of its own on a free port (AOF with fsync every second,
 * the setting docs/redis.md recommends) and `instances` production servers sharing its stream.
 * Looks like one server to the load harness: `members` are the instances, `cpuPids` include Redis.
 */
export async function startRedisCluster({ instances = 2, node = process.execPath, env = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulseboard-bench-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], {
    stdio: 'ignore',
  });
  await new Promise((resolve, reject) => {
    redis.once('spawn', resolve);
    redis.once('error', (err) => reject(new Error(`cannot start redis-server (${err.message}): apt-get install -y redis-server`)));
  });
  await waitRedis(port, redis);
  const members = [];
  for (let i = 0; i < instances; i++) {
    members.push(await startServer('pulseboard', { node, env: { ...env, REDIS_URL: `redis://127.0.0.1:${port}`, INSTANCE: `bench-${i + 1}` } }));
  }
  return {
    kind: `redis×${instances}`,
    url: members[0].url,
    port: members[0].port,
    pid: members[0].pid,
    members,
    cpuPids: [...members.map((m) => m.pid), redis.pid],
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
      await new Promise((resolve) => {
        if (redis.exitCode !== null) return resolve();
        redis.once('exit', resolve);
        redis.kill('SIGKILL');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pulseboard's production build; kept for bench scripts that only need it. */
export const startPulseboard = (env = {}) => startServer('pulseboard', { env });

/**
 * Measures each checkout named by `--dir` in `argv` with `measure(dir)` (an object of measure →
 * value), one after the other, and prints them side by side as a Markdown table (rows in the
 * order measured, or sorted). `stopAll` runs at the end, on error and on Ctrl-C.
 */
export async function compareBuilds(script, argv, measure, { stopAll = async () => {}, sortRows = false } = {}) {
  const usage = `usage: node bench/${script} --dir <checkout> [--dir <checkout> ...]`;
  const dirs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dir' && argv[i + 1]) dirs.push(path.resolve(argv[++i]));
    else throw new Error(`unknown argument ${argv[i]}: ${usage}`);
  }
  if (dirs.length === 0) throw new Error(usage);
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });
  const results = [];
  try {
    for (const dir of dirs) {
      console.error(`measuring ${dir} ...`);
      results.push(await measure(dir));
    }
  } finally {
    await stopAll();
  }
  const keys = [...new Set(results.flatMap((r) => Object.keys(r)))];
  if (sortRows) keys.sort();
  const names = dirs.map((d) => path.basename(d));
  const lines = [`| measure | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---').join(' | ')} |`];
  for (const k of keys) lines.push(`| ${k} | ${results.map((r) => r[k] ?? '–').join(' | ')} |`);
  console.log(lines.join('\n'));
}
