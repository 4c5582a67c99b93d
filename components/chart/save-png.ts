import { CHART_VARIABLES, SERIES_COLOURS, dashOf } from './palette';

// Two lines: the title, then the instance and range (one line overlapped on a narrow panel).
const HEADER_PX = 46;
const SCALE = 2;
const LEGEND_ROW_PX = 18;
/** Legend entries drawn at most; the rest are counted. */
const LEGEND_MAX = 30;
const LABEL_MAX_CHARS = 60;

/** What the picture says besides the chart: what it is, where from, when, and which line is which. */
export interface PictureInfo {
  title: string;
  /** The Pulseboard instance the data was seen on. */
  instance?: string;
  from: number;
  to: number;
  /** The lines drawn, in legend order: label and palette index. */
  lines: readonly { label: string; index: number }[];
}

/** `2026-12-01 18:40:05` in local time. */
function localTime(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** `UTC+01:00` for the browser's zone at `t`. */
function zone(t: number): string {
  const offset = -new Date(t).getTimezoneOffset();
  const abs = Math.abs(offset);
  return `UTC${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The range as the picture states it: `2026-12-01 18:40:05 – 18:45:05 UTC+01:00` (the date again if it changes). */
export function rangeText(from: number, to: number): string {
  const a = localTime(from);
  const b = localTime(to);
  return `${a} – ${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b} ${zone(to)}`;
}

const clipLabel = (s: string) => (s.length > LABEL_MAX_CHARS ? `${s.slice(0, LABEL_MAX_CHARS - 1)}…` : s);

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A PNG with `tEXt` chunks (keyword, Latin-1 text) inserted after its header chunk: the title,
 * range and legend travel with the file, readable by image viewers and tools.
 */
async function withText(png: Blob, entries: Record<string, string>): Promise<Blob> {
  const bytes = new Uint8Array(await png.arrayBuffer());
  // Signature (8) and IHDR (4 length + 4 type + 13 data + 4 CRC).
  const at = 8 + 25;
  const chunks: Uint8Array[] = [bytes.subarray(0, at)];
  for (const [keyword, text] of Object.entries(entries)) {
    // Latin-1 only, as tEXt requires: anything else becomes '?'.
    const data = Uint8Array.from(`${keyword}\0${text}`, (ch) => (ch.charCodeAt(0) < 256 ? ch.charCodeAt(0) : 63));
    const chunk = new Uint8Array(12 + data.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set([0x74, 0x45, 0x58, 0x74], 4);
    chunk.set(data, 8);
    view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
    chunks.push(chunk);
  }
  chunks.push(bytes.subarray(at));
  return new Blob(chunks as BlobPart[], { type: 'image/png' });
}

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

/** Legend entries laid out in rows across `width`: where each swatch and label goes. */
function legendLayout(ctx: CanvasRenderingContext2D, lines: PictureInfo['lines'], width: number): { rows: number; items: { x: number; row: number; label: string; index: number }[] } {
  const shown = lines.slice(0, LEGEND_MAX).map((l) => ({ ...l, label: clipLabel(l.label) }));
  const more = lines.length - shown.length;
  const entries = more > 0 ? [...shown, { label: `+ ${more} more`, index: -1 }] : shown;
  const items: { x: number; row: number; label: string; index: number }[] = [];
  let x = 12;
  let row = 0;
  for (const e of entries) {
    const w = (e.index >= 0 ? 22 : 0) + ctx.measureText(e.label).width + 16;
    if (x + w > width - 8 && x > 12) {
      row++;
      x = 12;
    }
    items.push({ x, row, label: e.label, index: e.index });
    x += w;
  }
  return { rows: entries.length === 0 ? 0 : row + 1, items };
}

/**
 * Downloads a panel's chart as a PNG at twice its on-screen size, in the colours of the current
 * theme: its title, instance and time range above it, a legend of the lines drawn below it (so
 * the lines can be told apart away from the page), and the same in the file's text chunks. The
 * SVG is drawn on a canvas; the CSS variables it uses are copied onto it because an SVG drawn as
 * an image does not see the page's stylesheet.
 */
export async function saveChartAsPng(panel: HTMLElement, info: PictureInfo): Promise<void> {
  const { title } = info;
  const svg = panel.querySelector<SVGSVGElement>('svg.recharts-surface, svg.static-chart, svg.heatmap');
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
    const measure = canvas.getContext('2d');
    if (!measure) throw new Error('no canvas to draw on');
    const labelFont = `12px ${styles.fontFamily}`;
    measure.font = labelFont;
    const legend = legendLayout(measure, info.lines, width);
    const footer = legend.rows > 0 ? legend.rows * LEGEND_ROW_PX + 8 : 0;
    canvas.width = Math.ceil(width * SCALE);
    canvas.height = Math.ceil((height + HEADER_PX + footer) * SCALE);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(SCALE, SCALE);
    const text = styles.getPropertyValue('--text') || '#000';
    const muted = styles.getPropertyValue('--muted') || '#555';
    ctx.fillStyle = styles.getPropertyValue('--panel') || '#fff';
    ctx.fillRect(0, 0, width, height + HEADER_PX + footer);
    ctx.fillStyle = text;
    ctx.font = `600 14px ${styles.fontFamily}`;
    ctx.fillText(title, 12, 21);
    const where = [info.instance, rangeText(info.from, info.to)].filter(Boolean).join(' · ');
    ctx.font = `11px ${styles.fontFamily}`;
    ctx.fillStyle = muted;
    ctx.fillText(where, 12, 38);
    ctx.font = labelFont;
    ctx.drawImage(image, 0, HEADER_PX, width, height);
    for (const item of legend.items) {
      const y = HEADER_PX + height + 4 + item.row * LEGEND_ROW_PX + LEGEND_ROW_PX / 2;
      let x = item.x;
      if (item.index >= 0) {
        ctx.strokeStyle = styles.getPropertyValue(`--series-${item.index % SERIES_COLOURS}`) || text;
        ctx.lineWidth = 3;
        ctx.setLineDash(dashOf(item.index).split(' ').filter(Boolean).map(Number));
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 16, y);
        ctx.stroke();
        x += 22;
      }
      ctx.fillStyle = item.index >= 0 ? text : muted;
      ctx.fillText(item.label, x, y + 4);
    }
    const drawn = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!drawn) throw new Error('the browser could not encode the PNG');
    const png = await withText(drawn, {
      Title: title,
      Source: `Pulseboard${info.instance ? ` (${info.instance})` : ''}`,
      // tEXt is Latin-1: the range says 'to' rather than an en dash.
      Description: `${rangeText(info.from, info.to).replace(' – ', ' to ')}; lines: ${info.lines.map((l) => l.label).join(', ')}`,
    });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(png);
    link.download = `pulseboard-${slug(title)}.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } finally {
    URL.revokeObjectURL(url);
  }
}
