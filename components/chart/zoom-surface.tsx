import { useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { MIN_RANGE_MS, type TimeRange } from '@/lib/dashboard';
import { PLOT_INSET } from './redraw';

// A smaller movement is a click, not a drag.
const MIN_DRAG_PX = 6;

interface ZoomSurfaceProps {
  from: number;
  to: number;
  /** A range was dragged out on the chart. */
  onZoom: (range: TimeRange) => void;
  /** The chart was double-clicked. */
  onReset: () => void;
  children: ReactNode;
}

/**
 * Drag across a chart to select a time range; double-click to go back. The selection is drawn as
 * an overlay, so the chart underneath is not redrawn while dragging.
 */
export function ZoomSurface({ from, to, onZoom, onReset, children }: ZoomSurfaceProps) {
  const box = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);

  const plotX = (clientX: number): number => {
    const rect = box.current?.getBoundingClientRect();
    if (!rect) return 0;
    return Math.min(rect.width - PLOT_INSET.right, Math.max(PLOT_INSET.left, clientX - rect.left));
  };
  const timeAt = (x: number): number => {
    const width = (box.current?.clientWidth ?? 0) - PLOT_INSET.left - PLOT_INSET.right;
    return width > 0 ? from + ((x - PLOT_INSET.left) / width) * (to - from) : from;
  };

  const down = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || e.pointerType === 'touch') return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const x = plotX(e.clientX);
    setDrag({ start: x, end: x });
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    if (drag) setDrag({ start: drag.start, end: plotX(e.clientX) });
  };
  const up = () => {
    if (!drag) return;
    setDrag(null);
    if (Math.abs(drag.end - drag.start) < MIN_DRAG_PX) return;
    const a = timeAt(Math.min(drag.start, drag.end));
    const b = timeAt(Math.max(drag.start, drag.end));
    if (b - a >= MIN_RANGE_MS) onZoom({ from: Math.round(a), to: Math.round(b) });
  };

  return (
    <div
      ref={box}
      className="zoom-surface"
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={() => setDrag(null)}
      onDoubleClick={onReset}
    >
      {children}
      {drag && (
        <div
          className="zoom-selection"
          data-testid="zoom-selection"
          style={{ left: Math.min(drag.start, drag.end), width: Math.abs(drag.end - drag.start) }}
        />
      )}
    </div>
  );
}
