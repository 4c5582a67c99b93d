import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

/** A message the receiver got: its body as sent, parsed, the signature header and when it came. */
export interface Received {
  at: number;
  raw: string;
  body: { status: 'firing' | 'resolved'; receiver: string; alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }> };
  signature: string | undefined;
  headers: http.IncomingHttpHeaders;
}

export interface TestReceiver {
  url: string;
  port: number;
  received: Received[];
  /** Answers 503 (the receiver "down") until `up()`; every refused attempt is counted. */
  down(): void;
  up(): void;
  refused: number;
  /** Whether a message's signature is the HMAC-SHA256 of its exact body under `secret`. */
  signed(message: Received, secret: string): boolean;
  stop(): Promise<void>;
}

/** A real webhook receiver on a free loopback port, as an Alertmanager receiver would be. */
export async function startReceiver(): Promise<TestReceiver> {
  let failing = false;
  const state = { refused: 0 };
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing) {
        state.refused++;
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ at: Date.now(), raw, body: JSON.parse(raw) as Received['body'], signature: req.headers['x-pulseboard-signature'] as string | undefined, headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    down: () => (failing = true),
    up: () => (failing = false),
    get refused() {
      return state.refused;
    },
    signed(message, secret) {
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(message.raw).digest('hex')}`);
      const given = Buffer.from(message.signature ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
