/** The time windows the dashboard offers. */
export const WINDOWS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
} as const;

export type WindowPreset = keyof typeof WINDOWS;

export const DEFAULT_WINDOW: WindowPreset = '5m';

/** The preset named by a `?window=` value, or the default for anything else. */
export function toWindowPreset(value: unknown): WindowPreset {
  return typeof value === 'string' && Object.hasOwn(WINDOWS, value) ? (value as WindowPreset) : DEFAULT_WINDOW;
}

/** Points per series in a server-rendered snapshot: full 1 s resolution up to 5 min, min/max beyond. */
export const SNAPSHOT_POINTS = 600;
