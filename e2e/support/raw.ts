import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  json: { error?: string; issues?: unknown[]; accepted?: number } | undefined;
}

/**
 * A request with exactly the headers given — `Host` and `Origin` included, which fetch() will
 * not let a test set — as an attacker's page or a rebinding DNS name would send them.
 */
export function rawRequest(
  address: string,
  {
    method = 'GET',
    headers = {},
    body,
    localAddress,
    setHost = true,
    target,
    timeoutMs = 10_000,
  }: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string; setHost?: boolean; target?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: target ?? `${url.pathname}${url.search}`, method, headers, localAddress, setHost, timeout: timeoutMs, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: RawResponse['json'];
          try {
            json = JSON.parse(text) as RawResponse['json'];
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${address} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
