import { describe, expect, it } from 'vitest';
import { parseAlerts } from './rules';

const parse = (json: unknown) => parseAlerts(typeof json === 'string' ? json : JSON.stringify(json), 'alerts.json', Date.parse('2026-12-01T00:00:00Z'));

describe('ALERTS_FILE', () => {
  it('reads the README example: durations in ms, the clear threshold, the query parsed', () => {
    const config = parse({
      rules: [{ name: 'HighCpu', query: 'avg by (instance) (host_cpu_utilization_ratio)', window: '30s', above: 0.9, clearBelow: 0.8, for: '1m', keepFiringFor: '30s', severity: 'warning', summary: 'CPU on {{instance}} at {{value}}', notify: ['ops'], repeat: '4h' }],
      channels: [{ name: 'ops', type: 'webhook', url: 'https://hooks.example.com/pulseboard', secret: 'a-secret-of-16-chars', headers: { 'X-Team': 'ops' } }],
      silences: [{ matchers: 'instance="db1"', until: '2026-12-24T00:00:00Z', comment: 'maintenance' }],
    });
    expect(config.rules[0]).toMatchObject({ window: 30_000, for: 60_000, keepFiringFor: 30_000, repeat: 14_400_000, direction: 'above', threshold: 0.9, clear: 0.8, reads: ['host_cpu_utilization_ratio'], noData: 'ok' });
    expect(config.silences[0]!.selector.matches('ALERTS', { instance: 'db1', alertname: 'HighCpu' })).toBe(true);
    expect(config.silences[0]!.selector.matches('ALERTS', { instance: 'db2' })).toBe(false);
    expect(config.channels[0]!.timeout).toBe(10_000);
  });

  it.each([
    [{ rules: [{ name: 'A', query: 'cpu' }] }, /rule 1 \("A"\), above: give exactly one of above and below/],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1, below: 0 }] }, /rule 1 \("A"\), above: give exactly one/],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1, clearBelow: 2 }] }, /rule 1 \("A"\), clearBelow: must be at most above \(1\)/],
    [{ rules: [{ name: 'A', query: 'cpu', below: 1, clearBelow: 0 }] }, /clearBelow: goes with above/],
    [{ rules: [{ name: 'A', query: 'sum by (', above: 1 }] }, /rule 1 \("A"\), query: /],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1, for: 'soon' }] }, /rule 1 \("A"\), for: got "soon"; expected a duration/],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1, notify: ['nobody'] }] }, /rule 1 \("A"\), notify: no channel is named "nobody"/],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1 }, { name: 'A', query: 'mem', above: 1 }] }, /rule 2 \("A"\), name: another rule has this name/],
    [{ rules: [{ name: '1x', query: 'cpu', above: 1 }] }, /rule 1 \("1x"\), name: a rule name/],
    [{ rules: [{ name: 'A', query: 'cpu', above: 1, colour: 'red' }] }, /rule 1 \("A"\).*colour/],
    [{ channels: [{ name: 'ops', type: 'webhook', url: 'ftp://x' }] }, /channel 1 \("ops"\), url: an http/],
    [{ channels: [{ name: 'ops', type: 'webhook', url: 'https://u:p@x/' }] }, /without credentials/],
    [{ channels: [{ name: 'ops', type: 'webhook', url: 'https://x/', secret: 'short' }] }, /channel 1 \("ops"\), secret: at least 16/],
    [{ channels: [{ name: 'ops', type: 'webhook', url: 'https://x/', headers: { 'X-A': 'a\r\nInjected: 1' } }] }, /printable ASCII/],
    [{ silences: [{ matchers: 'instance="db1"' }] }, /silence 1, until/],
    [{ silences: [{ matchers: 'instance="db1"', until: '2029-01-01T00:00:00Z' }] }, /silence 1, until: more than a year ahead/],
    [{ silences: [{ matchers: 'instance=', until: '2026-12-24T00:00:00Z' }] }, /silence 1, matchers: .* are not label matchers/],
    ['{"rules": [', /alerts.json: not JSON/],
  ])('refuses %j naming the entry and field', (json, message) => {
    expect(() => parse(json)).toThrow(message);
  });

  it('an empty file is no rules', () => {
    expect(parse({})).toMatchObject({ rules: [], channels: [], silences: [] });
  });
});
