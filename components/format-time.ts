const local = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const utc = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
  timeZone: 'UTC',
});

/**
 * `HH:MM:SS` in the browser's zone once hydrated; in UTC before, because the server cannot
 * know the viewer's zone and server and first client render must match.
 */
export function formatClock(t: number, hydrated: boolean): string {
  return (hydrated ? local : utc).format(t);
}
