'use client';

import { useRouter } from 'next/navigation';
import type { AnchorHTMLAttributes, MouseEvent } from 'react';

interface NavLinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  href: string;
  /** Replace the history entry instead of adding one (window switches). */
  replace?: boolean;
}

/**
 * A plain link that navigates in-app when clicked plainly, keeping the scroll position. Without
 * JavaScript, or with a modifier key (new tab), it is an ordinary link. Smaller than next/link,
 * which the first-load JS budget of the dashboard cannot afford twice (Turbopack splits it into
 * more than one chunk).
 */
export function NavLink({ href, replace = false, onClick, ...rest }: NavLinkProps) {
  const router = useRouter();
  const navigate = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (replace) router.replace(href, { scroll: false });
    else router.push(href);
  };
  return <a href={href} onClick={navigate} {...rest} />;
}
