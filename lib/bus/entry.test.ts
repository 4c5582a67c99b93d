import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, hostileTexts, MESSAGE_MAX, point, regexpReach, type GeneratedPoint } from '@/lib/points/arbitraries';
import { toSeriesKey } from '@/lib/series';
import { EntryDecoder, encodeEntry } from './entry';

const LIMITS = { maxPoints: 3, maxLabels: 2, maxLabelValueLength: 8, maxNameLength: 32, maxLabelNameLength: 16, maxSeriesKeyLength: 96, maxHelpLength: 64, maxFutureMs: 30_000 };
const NOW = 1_795_966_070_000;
const decoder = () => new EntryDecoder(LIMITS, () => NOW);
const ID = '1795966063854-0';

describe('EntryDecoder', () => {
  it('reads back what Pulseboard writes: metadata once per name, in `metrics`', () => {
    const batch = {
      samples: [
        { series: 'up{a="1",b="x"}', t: 1_795_966_000_000, v: 1 },
        { series: 'up{a="2",b="x"}', t: 1_795_966_000_000, v: 1 },
      ],
      metrics: [{ name: 'up', unit: 'none' as const, type: 'gauge' as const, help: 'Whether it is up' }],
    };
    const fields = encodeEntry(batch, 'web-1');
    expect(fields.metrics).toBe(JSON.stringify(batch.metrics));
    expect(fields.meta).toBeUndefined();
    expect(decoder().decode(ID, fields)).toEqual({ ok: true, batch });
  });

  it('reads the per-series `meta` earlier instances wrote into metadata once per name', () => {
    const meta = ['1', '2'].map((a) => ({ key: `up{a="${a}"}`, name: 'up', labels: { a }, unit: 'seconds', type: 'gauge', help: 'Uptime' }));
    const d = decoder().decode(ID, { samples: JSON.stringify(meta.map((m) => ({ series: m.key, t: NOW, v: 1 }))), meta: JSON.stringify(meta) });
    expect(d.ok && d.batch.metrics).toEqual([{ name: 'up', unit: 'seconds', type: 'gauge', help: 'Uptime' }]);
  });

  it.each([
    ['metadata', (help: string) => ({ points: '[{"name":"up","value":1}]', metadata: JSON.stringify({ up: { help } }) })],
    ['metrics', (help: string) => ({ samples: `[{"series":"up","t":${NOW},"v":1}]`, metrics: JSON.stringify([{ name: 'up', unit: 'none', type: 'gauge', help }]) })],
    ['meta', (help: string) => ({ samples: `[{"series":"up","t":${NOW},"v":1}]`, meta: JSON.stringify([{ key: 'up', name: 'up', labels: {}, unit: 'none', type: 'gauge', help }]) })],
  ])('refuses help with a control character or over INGEST_MAX_HELP_LENGTH in the %s field, tab allowed', (field, entry) => {
    expect(decoder().decode(ID, entry('a\tb')).ok).toBe(true);
    expect(decoder().decode(ID, entry('\u0001'.repeat(10)))).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^${field}.*help: must not contain control characters \\(U\\+0001 at character 0\\)`)) as unknown });
    expect(decoder().decode(ID, entry('line\nbreak'))).toMatchObject({ ok: false, reason: expect.stringMatching(/U\+000A at character 4/) as unknown });
    expect(decoder().decode(ID, entry('x'.repeat(65)))).toMatchObject({ ok: false, reason: expect.stringMatching(/help: at most 64 characters \(INGEST_MAX_HELP_LENGTH\)/) as unknown });
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
    // Once per name, however many series it has.
    expect(d.ok && d.batch.metrics).toEqual([{ name: 'queue_depth', unit: 'none', type: 'gauge', help: 'Jobs waiting' }]);
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
    expect(decoder().decode(ID, { samples, origin: 'scraper' })).toEqual({ ok: false, reason: 'origin: "scraper" is not "collector" or "alerts"' });
  });

  it('ALERTS only from the alert evaluator, which writes nothing else', () => {
    const alerts = [{ series: 'ALERTS{alertname="HighCpu",alertstate="firing"}', t: 1_795_966_000_000, v: 1 }];
    const fields = encodeEntry({ samples: alerts, origin: 'alerts' }, 'a');
    expect(decoder().decode(ID, fields)).toEqual({ ok: true, batch: { samples: alerts, origin: 'alerts' } });
    const forged = decoder().decode(ID, { samples: JSON.stringify(alerts) });
    expect(forged).toMatchObject({ ok: false, reason: expect.stringMatching(/ALERTS is written by Pulseboard's alert evaluator/) as unknown });
    expect(decoder().decode(ID, { name: 'ALERTS', value: '1' }).ok).toBe(false);
    const other = decoder().decode(ID, { samples: JSON.stringify([{ series: 'up', t: 1_795_966_000_000, v: 1 }]), origin: 'alerts' });
    expect(other).toMatchObject({ ok: false, reason: expect.stringMatching(/writes ALERTS only/) as unknown });
  });
});


describe('EntryDecoder: every form passes the limits HTTP ingest applies', () => {
  const now = 1_795_966_070_000;
  const strict = () => new EntryDecoder(DEFAULT_LIMITS, () => now);
  const key = (labels: Record<string, string>) => toSeriesKey('m', labels);
  const samples = (list: Array<{ series: string; t?: number; v?: number }>) => ({ samples: JSON.stringify(list.map((s) => ({ t: now, v: 1, ...s }))) });
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));

  it.each([
    ['20,000 samples', samples(Array.from({ length: 20_000 }, () => ({ series: 'm' }))), /at most 10000 samples per entry \(INGEST_MAX_POINTS\)/],
    ['40 labels', samples([{ series: key(many(40)) }]), /at most 16 labels \(INGEST_MAX_LABELS\)/],
    ['a 10,000-character label value', samples([{ series: key({ a: 'v'.repeat(10_000) }) }]), /at most 4096 characters \(INGEST_MAX_SERIES_KEY_LENGTH\)/],
    ['a 2,000-character label value', samples([{ series: key({ a: 'v'.repeat(2_000) }) }]), /at most 1024 characters \(INGEST_MAX_LABEL_VALUE_LENGTH\)/],
    ['the label name __name__', samples([{ series: 'm{__name__="x"}' }]), /reserved/],
    ['the label name bad-name', samples([{ series: 'm{bad-name="x"}' }]), /label-name rule/],
    ['a label name holding a newline', samples([{ series: 'm{a\nb="x"}' }]), /label-name rule/],
    ['a 300-character name', samples([{ series: 'm'.repeat(300) }]), /at most 256 characters \(INGEST_MAX_NAME_LENGTH\)/],
    ['a 200-character label name', samples([{ series: `m{${'l'.repeat(200)}="x"}` }]), /longer than 128 characters \(INGEST_MAX_LABEL_NAME_LENGTH\)/],
    ['a key over 4096 characters', samples([{ series: key(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`l${i}`, 'v'.repeat(1000)]))) }]), /at most 4096 characters \(INGEST_MAX_SERIES_KEY_LENGTH\)/],
    ['a timestamp in 2255', samples([{ series: 'm', t: Date.UTC(2255, 0, 1) }]), /ahead of the server clock \(INGEST_MAX_FUTURE\)/],
    ['a non-finite value', { samples: '[{"series":"m","t":1,"v":1e999}]' }, /finite/],
    ['meta whose name is not its key’s', { ...samples([{ series: 'm' }]), meta: JSON.stringify([{ key: 'm', name: 'other', labels: {}, unit: 'none', type: 'gauge' }]) }, /meta\[0\]\.key: "m" is not the canonical key of "other"/],
    ['a key that is not canonical', samples([{ series: 'm{b="1",a="2"}' }]), /not a canonical series key \(that is "m\{a=\\"2\\",b=\\"1\\"\}"\)/],
    ['points with a timestamp in 2255', { points: JSON.stringify([{ name: 'm', value: 1, timestamp: Date.UTC(2255, 0, 1) }]) }, /INGEST_MAX_FUTURE/],
    ['a point with a 1,000,000-character name', { name: 'a'.repeat(1_000_000), value: '1' }, /at most 256 characters \(INGEST_MAX_NAME_LENGTH\)/],
    ['a value of 100 KB of digits then x', { name: 'm', value: `${'1'.repeat(100_000)}x` }, /^value: "1{64}"… \(99937 more characters\) is not a number$/],
    ['a hexadecimal value', { name: 'm', value: '0x10' }, /is not a number/],
  ])('skips an entry with %s, saying why in a bounded line', (_case, fields, reason) => {
    const d = strict().decode(ID, fields);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(reason);
    expect(!d.ok && d.reason.length).toBeLessThanOrEqual(MESSAGE_MAX);
  });
});

describe('EntryDecoder: properties', () => {
  const now = 1_795_966_070_000;
  const strict = () => new EntryDecoder(DEFAULT_LIMITS, () => now);
  const points = fc.array(point(now), { minLength: 1, maxLength: 12 });
  const samplesOf = (ps: GeneratedPoint[]) =>
    ps.map((p) => ({ series: toSeriesKey(p.name, p.labels), t: p.timestamp ?? 1_795_966_063_854, v: p.value })).map((s, i) => ({ s, i })).sort((a, b) => a.s.t - b.s.t || a.i - b.i).map(({ s }) => s);

  it('decodes the points form to exactly its points, in time order', () => {
    fc.assert(
      fc.property(points, (ps) => {
        expect(strict().decode(ID, { points: JSON.stringify(ps) })).toEqual({ ok: true, batch: { samples: samplesOf(ps) } });
      }),
      { numRuns: 100 },
    );
  });

  it('decodes the name/value form to its one point', () => {
    fc.assert(
      fc.property(point(now), (p) => {
        const fields: Record<string, string> = { name: p.name, value: String(p.value), labels: JSON.stringify(p.labels) };
        if (p.timestamp !== undefined) fields.timestamp = String(p.timestamp);
        expect(strict().decode(ID, fields)).toEqual({ ok: true, batch: { samples: samplesOf([p]) } });
      }),
      { numRuns: 100 },
    );
  });

  it('reads back every batch Pulseboard writes (samples, metrics, origin)', () => {
    fc.assert(
      fc.property(points, fc.boolean(), fc.option(fc.string({ maxLength: 50 }), { nil: undefined }), (generated, collector, help) => {
        // A collector writes its own instance's series only.
        const ps = collector ? generated.map((p) => ({ ...p, labels: { instance: 'web-1' } })) : generated;
        const samples = samplesOf(ps);
        const first = ps[0] as GeneratedPoint;
        const metrics = [{ name: first.name, unit: 'bytes' as const, type: 'gauge' as const, ...(help !== undefined && { help }) }];
        const batch = { samples, metrics, ...(collector && { origin: 'collector' as const }) };
        expect(strict().decode(ID, encodeEntry(batch, 'web-1'))).toEqual({ ok: true, batch });
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a collector batch that writes another instance\'s series (or one without an instance)', () => {
    for (const series of ['orders_total{shop="eu"}', 'process_cpu_seconds_total{instance="web-2"}']) {
      const entry = { samples: JSON.stringify([{ series, t: now, v: 1 }]), origin: 'collector', source: 'web-1' };
      expect(strict().decode(ID, entry)).toMatchObject({ ok: false, reason: expect.stringMatching(/may only write series with instance="web-1"/) as unknown });
    }
    const own = { samples: JSON.stringify([{ series: 'process_cpu_seconds_total{instance="web-1"}', t: now, v: 1 }]), origin: 'collector', source: 'web-1' };
    expect(strict().decode(ID, own).ok).toBe(true);
  });

  it('checks a key it has seen before as strictly the next time: values, times and canonical form', () => {
    const d = strict();
    const ok = { samples: JSON.stringify([{ series: 'm{a="1"}', t: now, v: 1 }]) };
    expect(d.decode(ID, ok).ok).toBe(true);
    expect(d.decode(ID, { samples: JSON.stringify([{ series: 'm{a="1"}', t: now + 3_600_000, v: 1 }]) })).toMatchObject({ ok: false, reason: expect.stringMatching(/INGEST_MAX_FUTURE/) as unknown });
    expect(d.decode(ID, { samples: '[{"series":"m{a=\\"1\\"}","v":1e999}]' }).ok).toBe(false);
    // A key refused once is not remembered as good.
    const bad = { samples: JSON.stringify([{ series: 'm{b="1",a="2"}', t: now, v: 1 }]) };
    expect(d.decode(ID, bad).ok).toBe(false);
    expect(d.decode(ID, bad).ok).toBe(false);
  });

  it('never throws, and says why in a bounded line, whatever the fields hold', () => {
    const field = fc.constantFrom('samples', 'points', 'metadata', 'meta', 'name', 'value', 'labels', 'timestamp', 'origin', 'source');
    const content = fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), points.map((ps) => JSON.stringify(ps)), fc.constant('1'.repeat(100_000)));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(field, fc.string({ maxLength: 200 })), content, { maxKeys: 5 }), (fields) => {
        const d = strict().decode(ID, fields);
        if (!d.ok) expect(d.reason.length).toBeLessThanOrEqual(MESSAGE_MAX);
      }),
      { numRuns: 300 },
    );
  });

  it.each(hostileTexts.slice(0, 8))('skips entries made of %s, running no RegExp over it', async (_case, text) => {
    const entries: Array<Record<string, string>> = [
      { points: JSON.stringify([{ name: text, value: 1 }]) },
      { points: JSON.stringify([{ name: 'm', value: 1, labels: { [text]: 'v', a: text } }]) },
      { name: text, value: text, labels: JSON.stringify({ [text]: text }) },
      { name: 'm', value: '1', timestamp: text },
      { samples: JSON.stringify([{ series: text, v: 1 }]) },
      { samples: JSON.stringify([{ series: `m{a="${text.slice(0, 3000)}"}`, v: 1 }]) },
    ];
    const { result, longest } = await regexpReach(() => entries.map((fields) => strict().decode(ID, fields)));
    for (const d of result) {
      expect(d.ok).toBe(false);
      expect(!d.ok && d.reason.length).toBeLessThanOrEqual(MESSAGE_MAX);
    }
    expect(longest).toBeLessThanOrEqual(2 * DEFAULT_LIMITS.maxLabelValueLength);
  });
});
