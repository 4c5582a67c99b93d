import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A round-robin HTTP proxy in front of several instances, as nginx would be in production. */
export interface Balancer {
  url: string;
  /** Which backend port each proxied request went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

/**
 * Forwards each request to the next backend in turn; a backend that refuses the connection
 * (stopped) is skipped for the next one, with the same request. Responses stream through unbuffered, so SSE works.
 */
export async function startBalancer(ports: number[]): Promise<Balancer> {
  let next = 0;
  const routed: number[] = [];
  const server = http.createServer(async (req, res) => {
    // Bodies are read first, so a request refused by a stopped backend can go to the next one.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    // Each request tries every backend once, starting from the next in turn.
    const first = next++;
    const tryBackend = (attempt: number) => {
      if (attempt >= ports.length) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend answered');
        return;
      }
      const port = ports[(first + attempt) % ports.length] as number;
      const upstream = http.request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          routed.push(port);
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          res.on('close', () => up.destroy());
        },
      );
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' && !res.headersSent) tryBackend(attempt + 1);
        else res.destroy();
      });
      upstream.end(body);
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
