import Link from 'next/link';
import { WINDOWS, type WindowPreset } from '@/lib/dashboard';

/** Window presets as links: shareable, and they work without JavaScript. */
export function WindowPicker({ current }: { current: WindowPreset }) {
  return (
    <nav className="windows" aria-label="Time window">
      {(Object.keys(WINDOWS) as WindowPreset[]).map((w) => (
        <Link
          key={w}
          href={`/?window=${w}`}
          scroll={false}
          replace
          prefetch={false}
          aria-current={w === current ? 'page' : undefined}
          className="window-link"
        >
          {w}
        </Link>
      ))}
    </nav>
  );
}
