'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Renders the alerts page again every `everyMs` while it is shown (a hidden tab waits). */
export function AlertsRefresh({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
