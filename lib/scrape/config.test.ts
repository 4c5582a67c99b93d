import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSeriesKey } from '@/lib/series';
import { loadTargets, parseTargetFile, parseTargetList, ScrapeConfigError } from './config';
import { relabel } from './scrape';

const defaults = { intervalMs: 5_000, timeoutMs: 10_000, maxSamples: 10_000, maxBodyBytes: 16 * 1024 * 1024 };

describe('SCRAPE_TARGETS', () => {
  it('reads URLs and job=URL, with Prometheus-style instance names and the timeout never past the interval', () => {
    const [a, b, c] = parseTargetList(' http://127.0.0.1:9100/metrics , node=http://host.example/metrics,db=https://[::1]/m', defaults);
    expect(a).toMatchObject({ job: 'scrape', instance: '127.0.0.1:9100', intervalMs: 5_000, timeoutMs: 5_000 });
    expect(b).toMatchObject({ job: 'node', instance: 'host.example:80', url: 'http://host.example/metrics' });
    expect(c).toMatchObject({ job: 'db', instance: '[::1]:443' });
    expect(a!.id).not.toBe(b!.id);
  });

  it('names the entry at fault', () => {
    expect(() => parseTargetList('http://a/m,ftp://b/m', defaults)).toThrow(/entry 2: ftp: URLs cannot be scraped/);
    expect(() => parseTargetList('not a url', defaults)).toThrow(/entry 1: "not a url" is not a URL/);
    expect(() => parseTargetList('9bad=http://a/m', defaults)).toThrow(/entry 1: job "9bad" is not a job name/);
    expect(() => parseTargetList('http://user:secret@a/m', defaults)).toThrow(/credentials in the target's headers/);
    expect(() => parseTargetList(Array.from({ length: 1_001 }, (_, i) => `http://a/${i}`).join(','), defaults)).toThrow(ScrapeConfigError);
  });
});

describe('SCRAPE_FILE', () => {
  it('reads targets with their own interval, timeout, headers, labels, keep and drop, merged with the setting once each', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-scrape-'));
    const file = path.join(dir, 'scrape.json');
    fs.writeFileSync(file, JSON.stringify({ targets: [{ job: 'node', url: 'http://127.0.0.1:9100/metrics', interval: '1s', timeout: '500ms', headers: { Authorization: 'Bearer x' }, labels: { env: 'prod' }, keep: 'node_*', drop: 'node_scrape_*', maxSamples: 5000 }] }));
    const targets = loadTargets('node=http://127.0.0.1:9100/metrics,app=http://127.0.0.1:8080/metrics', file, defaults);
    expect(targets.map((t) => t.job)).toEqual(['node', 'app']);
    const fromFile = parseTargetFile(fs.readFileSync(file, 'utf8'), file, defaults)[0]!;
    expect(fromFile).toMatchObject({ intervalMs: 1_000, timeoutMs: 500, headers: { Authorization: 'Bearer x' }, labels: { env: 'prod' }, maxSamples: 5000 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the target and field at fault', () => {
    expect(() => parseTargetFile('{', 'f.json', defaults)).toThrow(/f.json: not JSON/);
    expect(() => parseTargetFile(JSON.stringify({ targets: [{ job: 'ok', url: 'http://a/m' }, { job: 'node', url: 'http://a/m', interval: '10ms' }] }), 'f.json', defaults)).toThrow(/f.json: target 2 \("node"\), interval: /);
    expect(() => parseTargetFile(JSON.stringify({ targets: [{ job: 'node', url: 'http://a/m', headers: { 'X-A': 'a\r\nInjected: 1' } }] }), 'f.json', defaults)).toThrow(/headers.X-A: printable ASCII only/);
    expect(() => parseTargetFile(JSON.stringify({ targets: [{ job: 'node', url: 'http://a/m', labels: { job: 'x' } }] }), 'f.json', defaults)).toThrow(/job and instance are set from the target/);
    expect(() => loadTargets('a=http://h:1/m?t=1,a=http://h:1/m?t=2', undefined, defaults)).toThrow(/same job "a" and instance h:1/);
    expect(() => parseTargetFile(JSON.stringify({ targets: [{ job: 'node', url: 'http://a/m', keep: 'sum(x)' }] }), 'f.json', defaults)).toThrow(/keep/);
    expect(() => parseTargetFile(JSON.stringify({ targets: [{ job: 'node', url: 'http://a/m', extra: 1 }] }), 'f.json', defaults)).toThrow(/target 1/);
    expect(() => loadTargets(undefined, '/nonexistent/scrape.json', defaults)).toThrow(/SCRAPE_FILE \/nonexistent\/scrape.json: cannot read it \(ENOENT\)/);
  });
});

describe('relabel', () => {
  it('sets job and instance as Prometheus does (the target\'s own become exported_*), adds labels, keeps and drops, stamps the scrape time', () => {
    const [target] = parseTargetFile(JSON.stringify({ targets: [{ job: 'node', url: 'http://127.0.0.1:9100/metrics', labels: { env: 'prod' }, keep: 'node_*', drop: '{device="lo"}' }] }), 'f', defaults);
    const out = relabel(
      {
        points: [
          { name: 'node_network_receive_bytes_total', labels: { device: 'eth0', instance: 'theirs', job: 'x' }, value: 1, timestamp: 5 },
          { name: 'node_network_receive_bytes_total', labels: { device: 'lo' }, value: 2 },
          { name: 'go_goroutines', value: 3 },
        ],
        metadata: { node_network_receive_bytes_total: { type: 'counter' } },
      },
      target!,
      1_000,
    );
    expect(out.points).toEqual([{ name: 'node_network_receive_bytes_total', labels: { device: 'eth0', exported_instance: 'theirs', exported_job: 'x', env: 'prod', job: 'node', instance: '127.0.0.1:9100' }, value: 1, timestamp: 1_000 }]);
    expect(toSeriesKey(out.points[0]!.name, out.points[0]!.labels)).toContain('job="node"');
    expect(out.metadata).toBeDefined();
  });
});
