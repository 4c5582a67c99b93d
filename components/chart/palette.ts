/**
 * Series colours: Okabe–Ito's eight and four of Paul Tol's muted scheme, chosen to stay
 * distinguishable with the common forms of colour blindness. They are CSS variables
 * (`--series-0` …, defined per theme in globals.css), so a theme switch recolours every chart
 * without a redraw. Past twelve lines the colours come again, dashed: line 13 is line 1's colour
 * in long dashes, line 25 in dots, and so on.
 */
export const SERIES_COLOURS = 12;
const DASHES = ['', '6 3', '1.5 2.5', '8 3 1.5 3'] as const;

/** The CSS colour of a panel's `index`th line. */
export function colorOf(index: number): string {
  return `var(--series-${index % SERIES_COLOURS})`;
}

/** The SVG dash pattern of a panel's `index`th line ('' for solid). */
export function dashOf(index: number): string {
  return DASHES[Math.floor(index / SERIES_COLOURS) % DASHES.length] ?? '';
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
