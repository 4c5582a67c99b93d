import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finiteValue, labelName, labelValue, metricName } from '@/lib/points/arbitraries';
import type { PointLimits } from './limits';
import { plainPoint, pointSchemas } from './point';

// Small limits, so that generated points cross every one of them often.
const limits: PointLimits = { maxPoints: 10, maxLabels: 3, maxLabelValueLength: 6, maxNameLength: 12, maxLabelNameLength: 8, maxSeriesKeyLength: 4096, maxHelpLength: 64, maxFutureMs: 30_000 };
const { pointList } = pointSchemas(limits);

/** Anything a point's field might be sent as, near misses of the rules most of all. */
const anyName = fc.oneof(metricName, fc.string({ maxLength: 14 }), fc.constantFrom('', '0x', 'a-b', 'a:b', ':', '__x', 'é', 'a b'), fc.integer());
const anyLabelName = fc.oneof(labelName, fc.string({ maxLength: 10 }), fc.constantFrom('', '__x', '_x', '0a', 'a:b', '__proto__', 'constructor', 'toString'));
const anyLabelValue = fc.oneof(labelValue, fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null));
const anyLabels = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(anyLabelName, anyLabelValue, { maxKeys: 5 }),
  fc.constantFrom(null, [], 'a=b', 1),
);
const anyValue = fc.oneof(finiteValue, fc.constantFrom(NaN, Infinity, -Infinity, '1', null, true), fc.integer());
const anyTimestamp = fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 2 ** 53 + 5 }), fc.double(), fc.constantFrom(2 ** 53, 1.5, '1700000000000', null));
/** Mostly within the rules, often at a limit's edge. */
const nearlyValid = fc.record(
  {
    name: fc.oneof(metricName.map((n) => n.slice(0, 12)), metricName),
    labels: fc.dictionary(fc.oneof(labelName.map((n) => n.slice(0, 8)), labelName), fc.oneof(labelValue.map((v) => v.slice(0, 6)), labelValue), { maxKeys: 4 }),
    value: finiteValue,
    timestamp: fc.integer({ min: 1, max: 2 ** 45 }),
  },
  { requiredKeys: ['name', 'value'] },
);
const anyPoint = fc.oneof(
  { weight: 3, arbitrary: nearlyValid },
  fc.record({ name: anyName, labels: anyLabels, value: anyValue, timestamp: anyTimestamp }, { requiredKeys: [] }),
  fc.record({ name: anyName, value: anyValue, extra: fc.anything() }),
  fc.anything(),
);

describe('plainPoint', () => {
  it('vouches only for points the schema accepts unchanged, and for most valid points', () => {
    let vouched = 0;
    let valid = 0;
    fc.assert(
      fc.property(anyPoint, (input) => {
        // As it arrives: through JSON, which has no undefined, NaN or prototypes.
        let p: unknown = input;
        try {
          p = JSON.parse(JSON.stringify(input) ?? 'null');
        } catch {
          return;
        }
        const checked = pointList.safeParse([p]);
        if (checked.success) valid++;
        if (!plainPoint(p, limits)) return;
        vouched++;
        expect(checked.success).toBe(true);
        expect(checked.data?.[0]).toEqual(p);
      }),
      { numRuns: 20_000 },
    );
    // Most of what the schema accepts is plain: the fast path is the common path.
    expect(valid).toBeGreaterThan(2_000);
    expect(vouched).toBeGreaterThan(valid * 0.9);
  });

  it('leaves to the schema what JSON cannot send but other producers might', () => {
    expect(plainPoint({ name: 'up', value: NaN }, limits)).toBe(false);
    expect(plainPoint({ name: 'up', value: 1, labels: undefined }, limits)).toBe(false);
    expect(plainPoint({ name: 'up', value: 1, labels: Object.create(null) }, limits)).toBe(false);
    expect(plainPoint(JSON.parse('{"name":"up","value":1,"labels":{"__proto__":"x"}}'), limits)).toBe(false);
    expect(plainPoint(JSON.parse('{"name":"up","value":1,"__proto__":{}}'), limits)).toBe(false);
    expect(plainPoint({ name: 'up', value: 1, timestamp: undefined }, limits)).toBe(true);
    expect(pointList.safeParse([{ name: 'up', value: 1, timestamp: undefined }]).success).toBe(true);
  });

  it('holds to every limit at its edge', () => {
    const at = { name: 'a'.repeat(12), labels: { [`b${'c'.repeat(7)}`]: 'v'.repeat(6), x: '', y: '' }, value: 1, timestamp: 1 };
    expect(plainPoint(at, limits)).toBe(true);
    expect(pointList.safeParse([at]).success).toBe(true);
    const over = [
      { ...at, name: 'a'.repeat(13) },
      { ...at, labels: { ...at.labels, z: '' } },
      { ...at, labels: { [`b${'c'.repeat(8)}`]: '' } },
      { ...at, labels: { x: 'v'.repeat(7) } },
      { ...at, timestamp: 0 },
    ];
    for (const p of over) {
      expect(plainPoint(p, limits)).toBe(false);
      expect(pointList.safeParse([p]).success).toBe(false);
    }
  });
});
