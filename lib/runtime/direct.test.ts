import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { directHandler, serveDirectly } from './direct';

const request = (method: string, url: string) => ({ method, url }) as http.IncomingMessage;

describe('directHandler', () => {
  it('finds a route by method and exact path, whatever the query', async () => {
    const handler = async () => new Response('ok');
    serveDirectly('POST', '/api/direct-test', handler);
    expect(directHandler(request('POST', '/api/direct-test'))).toBe(handler);
    expect(directHandler(request('POST', '/api/direct-test?a=1&b'))).toBe(handler);
    // Anything else is Next.js' to answer: other methods, other spellings of the path.
    for (const [method, url] of [
      ['GET', '/api/direct-test'],
      ['post', '/api/direct-test'],
      ['POST', '/api/direct-test/'],
      ['POST', '/api/direct-test/x'],
      ['POST', '/API/direct-test'],
      ['POST', '/api/%64irect-test'],
      ['POST', '/api/direct-test#x'],
    ] as const) {
      expect(directHandler(request(method, url)), `${method} ${url}`).toBeUndefined();
    }
  });
});
