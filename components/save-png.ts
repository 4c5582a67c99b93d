import { CHART_VARIABLES } from './palette';

const HEADER_PX = 32;
const SCALE = 2;

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('the chart could not be rendered as an image'));
    img.src = url;
  });
}

/** A file name from a title: `Host CPU` → `host-cpu`. */
function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
}

/**
 * Downloads a panel's chart as a PNG at twice its on-screen size, with its title, in the colours
 * of the current theme. The SVG is drawn on a canvas; the CSS variables it uses are copied onto it
 * because an SVG drawn as an image does not see the page's stylesheet.
 */
export async function saveChartAsPng(panel: HTMLElement, title: string): Promise<void> {
  const svg = panel.querySelector<SVGSVGElement>('svg.recharts-surface, svg.static-chart');
  if (!svg) throw new Error('no chart to save');
  const { width, height } = svg.getBoundingClientRect();
  const styles = getComputedStyle(panel);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const variables = CHART_VARIABLES.map((v) => `${v}:${styles.getPropertyValue(v)}`).join(';');
  clone.setAttribute('style', `${variables};font-family:${styles.fontFamily};font-variant-numeric:tabular-nums`);

  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  try {
    const image = await loadImage(url);
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * SCALE);
    canvas.height = Math.ceil((height + HEADER_PX) * SCALE);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas to draw on');
    ctx.scale(SCALE, SCALE);
    ctx.fillStyle = styles.getPropertyValue('--panel') || '#fff';
    ctx.fillRect(0, 0, width, height + HEADER_PX);
    ctx.fillStyle = styles.getPropertyValue('--text') || '#000';
    ctx.font = `600 14px ${styles.fontFamily}`;
    ctx.fillText(title, 12, 21);
    ctx.drawImage(image, 0, HEADER_PX, width, height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) throw new Error('the browser could not encode the PNG');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(png);
    link.download = `pulseboard-${slug(title)}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } finally {
    URL.revokeObjectURL(url);
  }
}
