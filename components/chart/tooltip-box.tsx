import { Swatch } from './legend';

/** Lines a tooltip lists at most; the rest are counted ("+ 38 more"). */
export const TOOLTIP_ROWS = 10;

interface TooltipItem {
  /** The line's index in its panel (its colour). */
  index: number;
  label: string;
  value: number;
}

interface TooltipBoxProps {
  active: boolean;
  /** The hovered time, formatted (asked for only when the tooltip shows). */
  time: () => string;
  items: readonly TooltipItem[];
  format: (v: number) => string;
  /** The chart's width less a margin: a tooltip wider than its chart stuck out of a phone's page. */
  maxWidth?: number;
}

/**
 * A chart's tooltip: the lines at the hovered time, highest value first, at most TOOLTIP_ROWS
 * of them and a count of the rest, never wider than the viewport (long labels are cut with an
 * ellipsis; the legend holds them whole).
 */
export function TooltipBox({ active, time, items, format, maxWidth }: TooltipBoxProps) {
  if (!active || items.length === 0) return null;
  const sorted = items.filter((i) => Number.isFinite(i.value)).sort((a, b) => b.value - a.value || a.index - b.index);
  const shown = sorted.slice(0, TOOLTIP_ROWS);
  return (
    <div className="tooltip-box" style={maxWidth ? { maxWidth: `min(22rem, calc(100vw - 24px), ${maxWidth}px)` } : undefined}>
      <p className="tooltip-time">{time()}</p>
      <ul>
        {shown.map((item) => (
          <li key={item.index}>
            <Swatch index={item.index} />
            <span className="tooltip-label">{item.label}</span>
            <span className="tooltip-value">{format(item.value)}</span>
          </li>
        ))}
      </ul>
      {sorted.length > shown.length && <p className="tooltip-more">+ {sorted.length - shown.length} more</p>}
    </div>
  );
}
