import type { TimeWindow } from '@/lib/dashboard';
import { NavLink } from './nav-link';

interface WindowPickerProps {
  presets: readonly TimeWindow[];
  /** The window shown; a custom one (`?window=30m`) is listed after the presets. */
  current: TimeWindow;
  /** Kept in every link (the metric filter), so switching windows keeps the view. */
  query: URLSearchParams;
  /** True while paused: no window is current, the range is. */
  paused: boolean;
}

function href(label: string, query: URLSearchParams): string {
  const params = new URLSearchParams(query);
  params.set('window', label);
  return `/?${params}`;
}

/** Window presets as links: shareable, and they work without JavaScript. Picking one goes live. */
export function WindowPicker({ presets, current, query, paused }: WindowPickerProps) {
  const windows = presets.some((p) => p.label === current.label) ? presets : [...presets, current];
  return (
    <nav className="windows" aria-label="Time window">
      {windows.map((w) => (
        <NavLink
          key={w.label}
          href={href(w.label, query)}
          replace
          aria-current={w.label === current.label && !paused ? 'page' : undefined}
          className="window-link"
        >
          {w.label}
        </NavLink>
      ))}
    </nav>
  );
}
