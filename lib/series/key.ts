import type { Labels } from '@/lib/schema';

/** Canonical series key: `name{k="v",...}`, labels sorted by name, values escaped as Prometheus does. */
export type SeriesKey = string;

/** Escapes a label value the way the Prometheus text format does: `\`, `"` and newline. */
export function escapeLabelValue(value: string): string {
  // Most values need nothing: one scan, no copies.
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  // linear: each pattern is one literal character.
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Builds the canonical key of a series; the same name and labels always give the same key. */
export function toSeriesKey(name: string, labels: Labels | undefined): SeriesKey {
  if (!labels) return name;
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  // Producers most often send labels in order already: sort only when they are not.
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      names.sort();
      break;
    }
  }
  let key = `${name}{`;
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    key += `${i > 0 ? ',' : ''}${k}="${escapeLabelValue(labels[k] ?? '')}"`;
  }
  return `${key}}`;
}

/** A key as an error message quotes it: the key may come from outside, so only its start. */
const quoted = (key: string): string => JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}…` : key);

export class SeriesKeyError extends Error {
  override readonly name = 'SeriesKeyError';
}

/** Parses a canonical series key back into its name and labels. */
export function parseSeriesKey(key: SeriesKey): { name: string; labels: Labels } {
  const brace = key.indexOf('{');
  if (brace === -1) return { name: key, labels: {} };
  if (!key.endsWith('}')) throw new SeriesKeyError(`series key ${quoted(key)} has no closing brace`);
  const name = key.slice(0, brace);
  const labels: Labels = {};
  const body = key.slice(brace + 1, -1);
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq === -1 || body[eq + 1] !== '"') {
      throw new SeriesKeyError(`series key ${quoted(key)} has a malformed label at ${i}`);
    }
    const labelName = body.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < body.length && body[j] !== '"'; j++) {
      const c = body[j];
      if (c === '\\') {
        const next = body[++j];
        value += next === 'n' ? '\n' : (next ?? '');
      } else {
        value += c;
      }
    }
    if (j >= body.length) throw new SeriesKeyError(`series key ${quoted(key)} has an unterminated label value`);
    labels[labelName] = value;
    i = j + 1;
    if (body[i] === ',') i++;
  }
  return { name, labels };
}
