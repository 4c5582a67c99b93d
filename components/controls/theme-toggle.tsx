'use client';

import { useState } from 'react';
import { THEMES, THEME_STORAGE_KEY, type Theme } from './theme';
import { useHydrated } from '../common/use-hydrated';

const LABEL: Record<Theme, string> = { system: 'System', dark: 'Dark', light: 'Light' };
const ICON: Record<Theme, string> = { system: '◐', dark: '☾', light: '☀' };

function storedTheme(): Theme {
  try {
    const t = localStorage.getItem(THEME_STORAGE_KEY);
    return t === 'dark' || t === 'light' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Cycles the colour theme System → Dark → Light; the choice is kept in localStorage. */
export function ThemeToggle() {
  // The server cannot know the stored choice: "System" until hydrated, then what is stored.
  const hydrated = useHydrated();
  const [chosen, setTheme] = useState<Theme | null>(null);
  const theme = chosen ?? (hydrated ? storedTheme() : 'system');

  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] as Theme;
  const choose = () => {
    setTheme(next);
    try {
      if (next === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage refused (private mode): the theme still applies to this page.
    }
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
  };

  return (
    <button type="button" className="control theme-toggle" onClick={choose} aria-label={`Theme: ${LABEL[theme]} (switch to ${LABEL[next]})`}>
      <span aria-hidden>{ICON[theme]}</span> {LABEL[theme]}
    </button>
  );
}
