import 'server-only';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** What a scrape's GET brought: the status, the Content-Type, and the body as text. */
export interface Fetched {
  status: number;
  statusText: string;
  contentType: string;
  text: string;
}

/** A failure in words: what the target did (timeout, too large, …), never its headers. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
}

const MAX_REDIRECTS = 5;
// Keep-alive connections to targets: a scrape every second reuses its socket.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 4 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 4 }) };

/**
 * GET `url` with node:http (Next.js' patched global fetch costs more than the scrape itself),
 * within `timeoutMs` for the whole answer, following up to 5 redirects, decompressing gzip,
 * deflate and br, and cutting the body off past `maxBytes` (counted decompressed, as it arrives).
 */
export function scrapeGet(url: string, { headers, timeoutMs, maxBytes }: { headers: Record<string, string>; timeoutMs: number; maxBytes: number }): Promise<Fetched> {
  const deadline = Date.now() + timeoutMs;
  const attempt = (target: URL, hops: number): Promise<Fetched> =>
    new Promise<Fetched>((resolve, reject) => {
      const lib = target.protocol === 'https:' ? https : http;
      const left = deadline - Date.now();
      if (left <= 0) return reject(new FetchError(`no complete answer within ${timeoutMs} ms (timeout)`));
      const req = lib.request(target, { method: 'GET', headers: { 'Accept-Encoding': 'gzip, deflate, br', ...headers }, agent: agents[target.protocol as 'http:' | 'https:'] }, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location) {
          // Not read: a redirect whose body never ends must not hold a pooled socket.
          res.destroy();
          clearTimeout(timer);
          if (hops >= MAX_REDIRECTS) return reject(new FetchError(`more than ${MAX_REDIRECTS} redirects`));
          let next: URL;
          try {
            next = new URL(location, target);
          } catch {
            return reject(new FetchError('redirected to something that is not a URL'));
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') return reject(new FetchError(`redirected to a ${next.protocol} URL`));
          // The target's headers (a bearer token) go to its own origin only.
          if (next.origin !== target.origin) return reject(new FetchError(`redirected to another origin (${next.origin.slice(0, 200)}): configure that URL as the target`));
          return attempt(next, hops + 1).then(resolve, reject);
        }
        const contentType = String(res.headers['content-type'] ?? '');
        const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (status !== 200 || (encoding === '' && declared > maxBytes)) {
          res.destroy();
          clearTimeout(timer);
          if (status !== 200) return resolve({ status, statusText: (res.statusMessage ?? '').slice(0, 60), contentType, text: '' });
          return reject(new FetchError(`body larger than ${maxBytes} bytes (maxBodyBytes, SCRAPE_MAX_BODY_BYTES)`));
        }
        let body: NodeJS.ReadableStream = res;
        if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(zlib.createGunzip());
        else if (encoding === 'deflate') body = res.pipe(zlib.createInflate());
        else if (encoding === 'br') body = res.pipe(zlib.createBrotliDecompress());
        else if (encoding !== '' && encoding !== 'identity') {
          res.destroy();
          clearTimeout(timer);
          return reject(new FetchError(`answered with Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}, which Pulseboard cannot read`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        const fail = (err: Error) => {
          if (failed) return;
          failed = true;
          clearTimeout(timer);
          // Said first: destroying the response emits its own events.
          reject(err);
          res.destroy();
          // A decompressor fed before the cut keeps going on what it holds unless stopped too.
          if (body !== res) (body as NodeJS.ReadableStream & { destroy(): void }).destroy();
        };
        body.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail(new FetchError(`body larger than ${maxBytes} bytes (maxBodyBytes, SCRAPE_MAX_BODY_BYTES)`));
          chunks.push(chunk);
        });
        body.on('error', (err: Error) => fail(new FetchError(`cannot read the body: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
        res.on('aborted', () => fail(new FetchError('the target closed the connection mid-body')));
        body.on('end', () => {
          clearTimeout(timer);
          let text: string;
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
          } catch {
            return reject(new FetchError('body is not valid UTF-8'));
          }
          resolve({ status, statusText: res.statusMessage ?? '', contentType, text });
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new FetchError(`no complete answer within ${timeoutMs} ms (timeout)`));
      }, left);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new FetchError(`cannot fetch: ${err.code ?? err.message}`));
      });
      req.end();
    });
  return attempt(new URL(url), 0);
}
