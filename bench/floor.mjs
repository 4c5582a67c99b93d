#!/usr/bin/env node
// The floor: the cheapest Node can do for Pulseboard's ingest + stream contract, to measure
// Pulseboard against in the same run. Plain node:http; POST /api/ingest takes {"points":[...]},
// GET /api/stream sends `event: points` with an id; each batch is serialised once and written once
// per client. No validation beyond JSON, no history, no filters, no heartbeat.
//
//   PORT=4000 node bench/floor.mjs
import http from 'node:http';

const port = Number(process.env.PORT ?? 4000);
const clients = new Set();
const key = (p) =>
  p.labels ? `${p.name}{${Object.keys(p.labels).sort().map((k) => `${k}="${p.labels[k]}"`).join(',')}}` : p.name;
let seq = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/api/stream')) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/api/ingest') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { points } = JSON.parse(Buffer.concat(chunks).toString());
      const now = Date.now();
      const samples = points.map((p) => ({ series: key(p), t: p.timestamp ?? now, v: p.value }));
      const event = Buffer.from(`event: points\nid: ${++seq}\ndata: ${JSON.stringify({ points: samples })}\n\n`);
      for (const client of clients) client.write(event);
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ accepted: samples.length }));
    });
    return;
  }
  if (req.url === '/api/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', streams: { open: clients.size } }));
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`floor listening on ${port}`));
process.on('SIGTERM', () => {
  for (const client of clients) client.end();
  server.close(() => process.exit(0));
});
