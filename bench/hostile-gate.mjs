// Requests a web page in the operator's browser, or a DNS-rebound name, would send, measured
// against one or more production builds side by side:
//
//   node bench/hostile-gate.mjs --dir /path/to/older/checkout --dir .
//
// For each checkout it starts `next start` on a free 127.0.0.1 port and sends: a cross-origin
// text/plain POST to /api/ingest (CSRF: no CORS preflight), the same with Sec-Fetch-Site
// same-site, reads and a write with `Host: rebind.attacker.example`, a tokenless POST through a
// local proxy that only sets `Forwarded: for=<remote>`, PUT and DELETE on API routes; and prints
// each answer's status, whether the point was stored, and whether the answer is the JSON error.
// Bounded: a fixed list of requests, each with a timeout; loopback only; servers stopped at the end.
import http from 'node:http';
import path from 'node:path';
import { startServer } from './server.mjs';

const TIMEOUT_MS = 10_000;

/** One request with exactly these headers (fetch will not send a chosen Host or Origin). */
function send(url, { method = 'GET', headers = {}, body } = {}) {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, json: text.startsWith('{"error"'), allow: res.headers.allow ?? '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: `error: ${err.message}`, json: false, allow: '' }));
    req.end(body);
  });
}

async function stored(url, name) {
  const res = await fetch(`${url}/api/series?series=${encodeURIComponent(`${name}*`)}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return ((await res.json()).series ?? []).length > 0;
}

async function measure(dir) {
  const server = await startServer('pulseboard', { cwd: dir, env: { INSTANCE: 'bench', REDIS_URL: '' } });
  const { url } = server;
  const host = new URL(url).host;
  const plain = { 'content-type': 'text/plain' };
  const rows = [];
  const write = async (label, name, headers) => {
    const r = await send(`${url}/api/ingest`, { method: 'POST', headers: { host, ...plain, ...headers }, body: `${name} 1\n` });
    rows.push([label, r.status, (await stored(url, name)) ? 'stored' : 'not stored', r.json ? 'JSON' : '—']);
  };
  try {
    await write('POST from Origin: http://evil.example', 'gate_csrf_origin', { origin: 'http://evil.example' });
    await write('POST with Sec-Fetch-Site: same-site', 'gate_csrf_site', { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' });
    await write('POST with Host: rebind.attacker.example', 'gate_rebind_write', { host: `rebind.attacker.example:${server.port}` });
    await write('POST via a proxy saying Forwarded: for=203.0.113.9', 'gate_forwarded', { forwarded: 'for=203.0.113.9' });
    for (const p of ['/', '/api/series', '/api/export?metric=process_cpu_seconds_total']) {
      const r = await send(`${url}${p}`, { headers: { host: `rebind.attacker.example:${server.port}` } });
      rows.push([`GET ${p} with Host: rebind.attacker.example`, r.status, '', r.json ? 'JSON' : '—']);
    }
    for (const [method, p] of [['PUT', '/api/ingest'], ['DELETE', '/api/series'], ['PATCH', '/api/stream']]) {
      const r = await send(`${url}${p}`, { method, headers: { host } });
      rows.push([`${method} ${p}`, r.status, r.allow ? `Allow: ${r.allow}` : 'no Allow', r.json ? 'JSON' : 'empty']);
    }
  } finally {
    await server.stop(5_000);
  }
  return rows;
}

const dirs = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--dir' && process.argv[i + 1]) dirs.push(path.resolve(process.argv[++i]));
  else throw new Error('usage: node bench/hostile-gate.mjs --dir <checkout> [--dir <checkout> ...]');
}
if (dirs.length === 0) dirs.push(process.cwd());
const results = [];
for (const dir of dirs) results.push(await measure(dir));
const labels = results[0].map((r) => r[0]);
console.log(`\nHostile browser and rebinding requests (status, stored?, body)\n`);
console.log(`| request | ${dirs.join(' | ')} |`);
console.log(`| --- |${dirs.map(() => ' --- |').join('')}`);
labels.forEach((label, i) => console.log(`| ${label} | ${results.map((r) => r[i].slice(1).filter(Boolean).join(', ')).join(' | ')} |`));
