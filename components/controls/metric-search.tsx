'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

// Typing pauses this long before the list is searched again (as the dashboard's filter does).
const SEARCH_AFTER_MS = 300;

/**
 * The metric browser's search box: searches as it is typed (the URL follows), as the dashboard's
 * filter filters; in a plain GET form, so Enter and the Search button work without JavaScript.
 */
export function MetricSearch({ initial, invalid, describedBy }: { initial: string; invalid: boolean; describedBy?: string }) {
  const router = useRouter();
  const [value, setValue] = useState(initial);
  const searched = useRef(initial);
  useEffect(() => {
    if (value === searched.current) return;
    const timer = setTimeout(() => {
      searched.current = value;
      router.replace(value ? `/metrics?q=${encodeURIComponent(value)}` : '/metrics', { scroll: false });
    }, SEARCH_AFTER_MS);
    return () => clearTimeout(timer);
  }, [value, router]);
  return (
    <input
      type="search"
      name="q"
      className="filter"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      aria-label="Search metrics by name or label"
      placeholder="name or label=value"
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
    />
  );
}
