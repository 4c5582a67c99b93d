import { parseDuration } from '@/lib/units';

/** Window presets the dashboard offers, shortest first; only those within retention are shown. */
const PRESETS: ReadonlyArray<readonly [label: string, ms: number]> = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['24h', 86_400_000],
  ['7d', 604_800_000],
  ['30d', 2_592_000_000],
  ['1y', 31_536_000_000],
];

/** Shortest window a `?window=` may ask for. */
const MIN_WINDOW_MS = 10_000;

const DEFAULT_WINDOW = '5m';

/** Points per series in a server-rendered snapshot: full 1 s resolution up to 5 min, min/max beyond. */
export const SNAPSHOT_POINTS = 600;

/** A time window by its name in the URL (`5m`, or a custom duration such as `30m`) and its length. */
export interface TimeWindow {
  label: string;
  ms: number;
}

/**
 * The presets no longer than `retentionMs`; with history on disk older than the hot tier
 * (`hotMs` shorter than `retentionMs`), also the next longer one, so 3 days of data offer 7d.
 */
export function presetsWithin(retentionMs: number, hotMs = retentionMs): TimeWindow[] {
  const within = PRESETS.filter(([, ms]) => ms <= retentionMs);
  const next = retentionMs > hotMs ? PRESETS.find(([, ms]) => ms > retentionMs) : undefined;
  return [...within, ...(next ? [next] : [])].map(([label, ms]) => ({ label, ms }));
}

/** A `?window=` value's duration when it is written as one (`30m`, `6h`, `2d`), else NaN. */
function asked(raw: string): number {
  // linear: digits then a fixed unit, disjoint classes (raw is at most 32 characters: parseDuration).
  return /^\d+(?:[dhms]|ms)$/.test(raw) ? parseDuration(raw) : NaN;
}

/**
 * The window named by a `?window=` value: a preset or any duration between 10 s and the
 * retention. Longer than the retention, the whole retention (the longest that can be shown);
 * anything else, the default (5 minutes, or the retention when that is shorter). windowNote
 * says which it was, for the page to say so.
 */
export function toTimeWindow(value: unknown, retentionMs: number): TimeWindow {
  const raw = typeof value === 'string' ? value.trim() : '';
  const ms = asked(raw);
  if (ms >= MIN_WINDOW_MS && ms <= retentionMs) return { label: raw, ms };
  if (ms > retentionMs) return { label: formatWindow(retentionMs), ms: retentionMs };
  const fallback = parseDuration(DEFAULT_WINDOW);
  return fallback <= retentionMs ? { label: DEFAULT_WINDOW, ms: fallback } : { label: formatWindow(retentionMs), ms: retentionMs };
}

/** Why a `?window=` value is not the window shown (`shown`, from toTimeWindow), or null when it is. */
export function windowNote(value: unknown, shown: TimeWindow): string | null {
  const raw = typeof value === 'string' ? value.trim() : '';
  if (raw === '' || raw === shown.label) return null;
  const quoted = JSON.stringify(raw.length > 32 ? `${raw.slice(0, 32)}…` : raw);
  const ms = asked(raw);
  if (ms > shown.ms) return `Window ${quoted} is more than the ${shown.label} of history kept: showing ${shown.label}.`;
  if (ms > 0 && ms < MIN_WINDOW_MS) return `Window ${quoted} is shorter than 10s: showing ${shown.label}.`;
  if (!(ms > 0)) return `Window ${quoted} is not a duration such as 30m, 6h or 7d: showing ${shown.label}.`;
  return null;
}

/** A window length as the URL names it: `90s`, `15m`, `6h`, `2d`. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
