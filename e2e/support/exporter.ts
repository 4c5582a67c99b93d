import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { freePort } from './server';

const INSTALL_HINT = 'The scrape tests run Debian\'s prometheus-node-exporter as a target and none was found. Install it: apt-get install -y prometheus-node-exporter (or set NODE_EXPORTER_PATH)';

/** The node_exporter binary: NODE_EXPORTER_PATH, else prometheus-node-exporter on PATH; fails saying what to install. */
export function nodeExporterPath(): string {
  const configured = process.env.NODE_EXPORTER_PATH;
  if (configured) return configured;
  const found = spawnSync('sh', ['-c', 'command -v prometheus-node-exporter || command -v node_exporter'], { encoding: 'utf8' });
  const bin = found.stdout.trim().split('\n')[0];
  if (found.status !== 0 || !bin) throw new Error(INSTALL_HINT);
  return bin;
}

export interface TestExporter {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts node_exporter on a free loopback port (`--web.listen-address`) and waits until it answers /metrics. */
export async function startNodeExporter(): Promise<TestExporter> {
  const bin = nodeExporterPath();
  const port = await freePort();
  const child: ChildProcess = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  let failed: Error | undefined;
  child.once('error', (err) => (failed = err));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}/metrics`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (failed) throw new Error(`cannot run ${bin} (${failed.message}). ${INSTALL_HINT}`);
    if (child.exitCode !== null) throw new Error(`node_exporter exited with ${child.exitCode}:\n${out}`);
    if (await fetch(url).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`node_exporter did not answer on ${url} within 15 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A target of the test's own on a free loopback port, answering every request with `handler`. */
export async function startTarget(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
