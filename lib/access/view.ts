import 'server-only';
import type { Env } from '@/lib/env';
import { getRuntime } from '@/lib/runtime';
import type { SeriesFilter, SeriesKey } from '@/lib/series';
import type { Engine } from '@/lib/storage';
import type { Store } from '@/lib/store';
import type { Identity } from './identity';
import { identityOf, scopeOf } from './request';
import { withinScope } from './scope';

/** What the pages and APIs read of the hot tier. */
export type StoreReads = Pick<
  Store,
  'size' | 'maxSeries' | 'keyChars' | 'has' | 'meta' | 'metric' | 'newest' | 'newestPoints' | 'oldest' | 'truncated' | 'list' | 'history' | 'snapshot'
>;

/**
 * The data one request may see: the whole store, or for a scoped user or token a view of it
 * where series outside the scope do not exist (not listed, not found by key, their names'
 * descriptions unknown unless a visible series has the name). Everything a page or API reads
 * goes through a view, so a scope is applied in one place per kind of read; what is read from
 * disk by key is checked with `visible`.
 */
export interface DataView {
  readonly env: Env;
  readonly store: StoreReads;
  readonly storage: Engine | null;
  readonly identity: Identity;
  /** The identity's scope (null: every series). */
  readonly scope: SeriesFilter | null;
  /** Whether a series key is within the scope. */
  visible(key: SeriesKey): boolean;
}

/** A store where only the series `scope` matches exist. */
function scopedStore(store: Store, scope: SeriesFilter): StoreReads {
  let names: Set<string> | undefined;
  const visibleNames = () => (names ??= new Set(store.list(scope).map((s) => s.meta.name)));
  return {
    get size() {
      return store.list(scope).length;
    },
    get maxSeries() {
      return store.maxSeries;
    },
    // Matching costs are paid over every key held, whatever the scope leaves.
    get keyChars() {
      return store.keyChars;
    },
    has: (key) => scope.matches(key) && store.has(key),
    meta: (key) => (scope.matches(key) ? store.meta(key) : undefined),
    metric: (name) => (visibleNames().has(name) ? store.metric(name) : undefined),
    newest: (key) => (scope.matches(key) ? store.newest(key) : undefined),
    newestPoints: (key, n) => (scope.matches(key) ? store.newestPoints(key, n) : []),
    // When history starts (the range form's bound) says nothing of any series.
    oldest: () => store.oldest(),
    truncated: (key, from) => scope.matches(key) && store.truncated(key, from),
    list: (filter) => store.list(filter ? withinScope(filter, scope) : scope),
    history: (key, windowMs, maxPoints) => (scope.matches(key) ? store.history(key, windowMs, maxPoints) : undefined),
    snapshot: (windowMs, maxPoints, options = {}) => {
      const { choose } = options;
      return store.snapshot(windowMs, maxPoints, {
        ...options,
        choose: (series) => {
          const within = series.filter((s) => scope.matches(s.key));
          return choose ? choose(within) : new Set(within.map((s) => s.key));
        },
      });
    },
  };
}

const everything = () => true;

/** The view of a request (from the identity the gate stamped on it). */
export function dataView(headers: Headers): DataView {
  return viewFor(identityOf(headers));
}

/** The view of an identity: the runtime's own store without a scope. */
export function viewFor(identity: Identity): DataView {
  const { env, store, storage } = getRuntime();
  const scope = scopeOf(identity);
  if (!scope) return { env, store, storage, identity, scope: null, visible: everything };
  return { env, store: scopedStore(store, scope), storage, identity, scope, visible: (key) => scope.matches(key) };
}
