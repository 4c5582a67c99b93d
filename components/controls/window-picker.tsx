import type { TimeWindow } from '@/lib/dashboard';
import { NavLink } from '../common/nav-link';

interface WindowPickerProps {
  presets: readonly TimeWindow[];
  /** The window shown; a custom one (`?window=30m`) is listed after the presets. */
  current: TimeWindow;
  /** The link to the same view over the window labelled `label` (the page keeps its filter and options in it). */
  href: (label: string) => string;
  /** True while paused: no window is current, the range is. */
  paused: boolean;
}

/**
 * Window presets as links: shareable, and they work without JavaScript. Picking one goes live.
 * The dashboard and a metric's page both show their windows with it.
 */
export function WindowPicker({ presets, current, href, paused }: WindowPickerProps) {
  const windows = presets.some((p) => p.label === current.label) ? presets : [...presets, current];
  return (
    <nav className="windows" aria-label="Time window">
      {windows.map((w) => (
        <NavLink key={w.label} href={href(w.label)} replace aria-current={w.label === current.label && !paused ? 'page' : undefined} className="window-link">
          {w.label}
        </NavLink>
      ))}
    </nav>
  );
}
