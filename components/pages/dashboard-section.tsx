'use client';

import { useState, type ReactNode } from 'react';
import type { SectionId } from '@/lib/dashboard';
import { useHydrated } from '../common/use-hydrated';

/** Where the collapsed sections are remembered, in this browser. */
export const COLLAPSED_STORAGE_KEY = 'pulseboard:collapsed-sections';

function storedCollapsed(): Set<string> {
  try {
    const raw = JSON.parse(localStorage.getItem(COLLAPSED_STORAGE_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string').slice(0, 32) : []);
  } catch {
    return new Set();
  }
}

/**
 * The collapsed sections (kept in localStorage, so a reload and a link keep them) and a toggle.
 * The server renders every section open; the stored choice applies once hydrated.
 */
export function useCollapsedSections(): [ReadonlySet<string>, (id: SectionId) => void] {
  const hydrated = useHydrated();
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const collapsed = chosen ?? (hydrated ? storedCollapsed() : new Set<string>());
  const toggle = (id: SectionId) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
    try {
      localStorage.setItem(COLLAPSED_STORAGE_KEY, JSON.stringify([...next]));
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
  };
  return [collapsed, toggle];
}

/**
 * A section of the dashboard (CPU, memory, disks, …): a heading that collapses it, with a summary
 * that stays in sight when collapsed, so a section in trouble is seen at a glance either way.
 */
export function DashboardSection({ id, title, count, collapsed, onToggle, alert, children }: { id: SectionId; title: string; count: number; collapsed: boolean; onToggle: () => void; alert?: string | null; children: ReactNode }) {
  return (
    <section className="dash-section" data-section={id} aria-labelledby={`section-${id}`}>
      <h2 className="section-title" id={`section-${id}`}>
        <button type="button" className="section-toggle" aria-expanded={!collapsed} aria-controls={`section-body-${id}`} onClick={onToggle}>
          <span className="section-caret" aria-hidden>
            {collapsed ? '▸' : '▾'}
          </span>
          {title}
          <span className="section-count">
            {count} {count === 1 ? 'chart' : 'charts'}
          </span>
        </button>
        {alert && (
          <span className="section-alert" role="status" data-testid={`section-alert-${id}`}>
            {alert}
          </span>
        )}
      </h2>
      <div className="grid" id={`section-body-${id}`} hidden={collapsed}>
        {children}
      </div>
    </section>
  );
}
