import { useEffect } from 'react';

/**
 * While a view is paused, Escape (outside a text input) goes back to live: `setPaused(null)`.
 * One window listener, removed when the view goes live or the page unmounts.
 */
export function useEscapeToLive(paused: boolean, setPaused: (value: null) => void): void {
  useEffect(() => {
    if (!paused) return;
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && !(e.target instanceof HTMLInputElement) && setPaused(null);
    window.addEventListener('keydown', escape);
    return () => window.removeEventListener('keydown', escape);
  }, [paused, setPaused]);
}
