const options = { hour: '2-digit', minute: '2-digit', hour12: false } as const;
const local = new Intl.DateTimeFormat('en-GB', { ...options, second: '2-digit' });
const utc = new Intl.DateTimeFormat('en-GB', { ...options, second: '2-digit', timeZone: 'UTC' });
const localMinutes = new Intl.DateTimeFormat('en-GB', options);
const utcMinutes = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });

/**
 * `HH:MM:SS` in the browser's zone once hydrated; in UTC before, because the server cannot
 * know the viewer's zone and server and first client render must match.
 */
export function formatClock(t: number, hydrated: boolean): string {
  return (hydrated ? local : utc).format(t);
}

/** An axis tick: `HH:MM` when ticks are whole minutes apart, else `HH:MM:SS`; zones as formatClock. */
export function formatTick(t: number, stepMs: number, hydrated: boolean): string {
  if (stepMs % 60_000 !== 0) return formatClock(t, hydrated);
  return (hydrated ? localMinutes : utcMinutes).format(t);
}
