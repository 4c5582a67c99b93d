import { useSyncExternalStore } from 'react';

const noop = () => () => {};

/** False while rendering on the server and hydrating, true after: gate anything that differs between the two. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}
