import { describe, expect, it } from 'vitest';
import { EntryDecoder, encodeEntry } from './entry';

const LIMITS = { maxPoints: 3, maxLabels: 2, maxLabelValueLength: 8, maxNameLength: 32, maxLabelNameLength: 16, maxSeriesKeyLength: 96, maxFutureMs: 30_000 };
const NOW = 1_795_966_070_000;
const decoder = () => new EntryDecoder(LIMITS, () => NOW);
const ID = '1795966063854-0';

describe('EntryDecoder', () => {
  it('reads back what Pulseboard writes', () => {
    const batch = {
      samples: [{ series: 'up{a="1",b="x"}', t: 1_795_966_000_000, v: 1 }],
      meta: [{ key: 'up{a="1",b="x"}', name: 'up', labels: { a: '1', b: 'x' }, unit: 'none' as const, type: 'gauge' as const }],
    };
    expect(decoder().decode(ID, encodeEntry(batch, 'web-1'))).toEqual({ ok: true, batch });
  });

  it('reads the HTTP ingest form, sorting points by time and taking the entry id’s time where a point has none', () => {
    const d = decoder().decode(ID, {
      points: JSON.stringify([
        { name: 'queue_depth', labels: { queue: 'emails' }, value: 3 },
        { name: 'queue_depth', labels: { queue: 'sms' }, value: 4, timestamp: 1_795_966_000_000 },
      ]),
      metadata: JSON.stringify({ queue_depth: { unit: 'none', help: 'Jobs waiting' } }),
    });
    expect(d.ok && d.batch.samples).toEqual([
      { series: 'queue_depth{queue="sms"}', t: 1_795_966_000_000, v: 4 },
      { series: 'queue_depth{queue="emails"}', t: 1_795_966_063_854, v: 3 },
    ]);
    expect(d.ok && d.batch.meta?.map((m) => [m.key, m.help, m.type])).toEqual([
      ['queue_depth{queue="emails"}', 'Jobs waiting', 'gauge'],
      ['queue_depth{queue="sms"}', 'Jobs waiting', 'gauge'],
    ]);
  });

  it('reads a single point from name/value/labels/timestamp fields', () => {
    const d = decoder().decode(ID, { name: 'temp_celsius', value: '21.5', labels: '{"room":"lab"}', timestamp: '1795966000000' });
    expect(d).toEqual({ ok: true, batch: { samples: [{ series: 'temp_celsius{room="lab"}', t: 1_795_966_000_000, v: 21.5 }] } });
  });

  it.each([
    [{ hello: 'world' }, /no "points", "samples" or "name"\/"value" field \(fields: "hello"\)/],
    [{ points: '[{"name":' }, /malformed JSON/],
    [{ points: '[{"name":"bad name","value":1}]' }, /points\[0\]\.name: must match/],
    [{ points: '[{"name":"a","value":1},{"name":"a","value":2},{"name":"a","value":3},{"name":"a","value":4}]' }, /at most 3 points/],
    [{ points: '[{"name":"a","value":1,"labels":{"x":"123456789"}}]' }, /at most 8 characters/],
    [{ name: 'a', value: 'NaN' }, /value/],
    [{ samples: '[{"series":"up{b=\\"1\\",a=\\"2\\"}","t":1,"v":1}]' }, /not a canonical series key/],
    [{ samples: '[{"series":"up","t":1,"v":1e999}]' }, /samples\[0\]\.v: .*finite/],
  ])('refuses %j, saying why', (fields, reason) => {
    const d = decoder().decode(ID, fields as Record<string, string>);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(reason);
  });
});

describe('EntryDecoder: the collector’s origin', () => {
  const samples = JSON.stringify([{ series: 'host_cpu_utilization_ratio{instance="a"}', t: 1_795_966_000_000, v: 0.5 }]);

  it('is written with a collector batch and read back from the samples form', () => {
    const batch = { samples: [{ series: 'host_cpu_utilization_ratio{instance="a"}', t: 1_795_966_000_000, v: 0.5 }], origin: 'collector' as const };
    const fields = encodeEntry(batch, 'a');
    expect(fields.origin).toBe('collector');
    expect(decoder().decode(ID, fields)).toEqual({ ok: true, batch });
    expect(encodeEntry({ samples: batch.samples }, 'a').origin).toBeUndefined();
  });

  it('is not taken from a producer form, which may not write the collector’s series', () => {
    const d = decoder().decode(ID, { points: '[{"name":"host_cpu_utilization_ratio","labels":{"instance":"a"},"value":1}]', origin: 'collector' });
    expect(d.ok && d.batch.origin).toBeUndefined();
    const one = decoder().decode(ID, { name: 'up', value: '1', origin: 'collector' });
    expect(one.ok && one.batch.origin).toBeUndefined();
  });

  it('refuses an origin it does not know', () => {
    expect(decoder().decode(ID, { samples, origin: 'scraper' })).toEqual({ ok: false, reason: 'origin: "scraper" is not "collector"' });
  });
});

