/**
 * Series colours: the Okabe–Ito palette, chosen to stay distinguishable with the common forms of
 * colour blindness. They are CSS variables (`--series-0` …, defined per theme in globals.css), so
 * a theme switch recolours every chart without a redraw.
 */
const SERIES_COLOURS = 8;

/** The CSS colour of a panel's `index`th line. */
export function colorOf(index: number): string {
  return `var(--series-${index % SERIES_COLOURS})`;
}

/** The variable names behind the palette and the chart chrome, for drawing a chart outside the page. */
export const CHART_VARIABLES: readonly string[] = [
  '--panel',
  '--text',
  '--muted',
  '--grid',
  '--border',
  ...Array.from({ length: SERIES_COLOURS }, (_, i) => `--series-${i}`),
];
