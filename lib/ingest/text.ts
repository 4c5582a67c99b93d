import 'server-only';
import { HttpError } from '@/lib/http';
import { helpProblem, type MetricMetadata, type PointLimits } from '@/lib/schema';
import { MAX_ISSUES } from '@/lib/points';
import { unitFromName } from '@/lib/units';
import { familyOf, readPrometheusText, TextFormatError, type SeriesCache, type TextExposition } from './prometheus';

/** A request body read into the shape of the JSON body, before validation. */
export interface ParsedBody {
  body: unknown;
  /** Text-format samples whose value was NaN or ±Inf: the format allows them, a chart cannot draw them. */
  skipped: number;
  /** The line point i came from, for text bodies: issues name lines, not array indexes. */
  lineOf?: (i: number) => number;
}

/**
 * A Prometheus text body as `{points, metadata}`: `# TYPE`/`# HELP` become metadata, histogram
 * and summary parts the types a chart can draw. Reading stops past INGEST_MAX_POINTS samples (413);
 * it waits for `pause()` every few thousand lines.
 */
export async function textBody(text: string, limits: PointLimits, pause?: () => Promise<void>, cache?: SeriesCache): Promise<ParsedBody> {
  if (text.trim() === '') throw new HttpError(400, 'empty body: send samples in the Prometheus text format');
  let exposition: TextExposition;
  try {
    const reading = readPrometheusText(text, { stopAfter: limits.maxPoints + 1, maxNameLength: limits.maxNameLength, maxLabelNameLength: limits.maxLabelNameLength, maxLabels: limits.maxLabels, cache });
    for (let step = reading.next(); ; step = reading.next()) {
      if (step.done) {
        exposition = step.value;
        break;
      }
      await pause?.();
    }
  } catch (err) {
    if (err instanceof TextFormatError) throw new HttpError(400, `malformed Prometheus text: ${err.message}`, [{ path: `line ${err.line}`, message: err.message }]);
    throw err;
  }
  const { samples, families, helpLines } = exposition;
  if (samples.length > limits.maxPoints) {
    throw new HttpError(413, `more than ${limits.maxPoints} samples (INGEST_MAX_POINTS): split the request; nothing was stored`);
  }
  // Every HELP line, whether or not its family has samples: placed at its line, as a point's issue is.
  const bad = [...families].flatMap(([name, f]) => {
    const problem = f.help === undefined ? null : helpProblem(f.help, limits.maxHelpLength);
    return problem ? [{ path: `line ${helpLines.get(name) ?? 0}`, message: `HELP text of ${name}: ${problem}` }] : [];
  });
  if (bad.length > 0) throw new HttpError(422, `${bad.length} invalid HELP line(s); nothing was stored`, bad.slice(0, MAX_ISSUES));
  const finite = samples.filter((s) => Number.isFinite(s.value));
  // No prototype: a metric named `__proto__` must get its HELP like any other.
  const metadata = Object.create(null) as Record<string, MetricMetadata>;
  for (const s of finite) {
    // Once per name (a scrape brings thousands of samples of a few dozen names).
    if (s.name in metadata) continue;
    const { family, role } = familyOf(s.name, s.labels, families);
    const f = families.get(family);
    if (!f) continue;
    const type = role === 'value' ? f.type : role === 'quantile' ? 'gauge' : 'counter';
    const unit = role === 'bucket' || role === 'count' ? 'none' : unitFromName(family);
    metadata[s.name] = { type: type === 'histogram' || type === 'summary' ? 'untyped' : type, unit, help: f.help };
  }
  return {
    body: { points: finite.map(({ name, labels, value, timestamp }) => ({ name, labels, value, timestamp })), metadata },
    skipped: samples.length - finite.length,
    lineOf: (i) => finite[i]?.line ?? 0,
  };
}
