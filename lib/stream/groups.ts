import type { Cursor } from '@/lib/bus';
import type { SeriesFilter, SeriesKey } from '@/lib/series';
import type { Deferred } from './fanout';
import type { Subscriber } from './subscriber';

/** Streams that share a filter, and so share encoded bytes. */
export interface Group {
  readonly filter: SeriesFilter;
  readonly subscribers: Set<Subscriber>;
  /** Order of creation: a cached key has been checked against every group up to some serial. */
  readonly serial: number;
  /** Set once the last stream has left; cached lists drop it when they next see it. */
  closed: boolean;
  /** What it has not been given yet, in order, because matching it ran out of budget (see Fanout). */
  readonly queue: Deferred[];
  /** Bytes of `queue`, charged to each of its streams' STREAM_MAX_QUEUE_BYTES. */
  queuedBytes: number;
  /** The last batch it was given or passed (`seq` in the hub's order): a ping's id while `queue` waits. */
  done: { seq: number; cursor: Cursor | null };
}

/** Which groups a key matches, as far as they have been checked. */
interface Matches {
  /** Every open group with a serial up to this one has been checked. */
  checked: number;
  /** Groups past `checked` checked already, out of order (a deferred group's matching). */
  ahead: Group[] | undefined;
  pruned: number;
  groups: Group[];
}

/** How many of the ascending `serials` are greater than `x`. */
function countAbove(serials: readonly number[], x: number): number {
  let lo = 0;
  let hi = serials.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((serials[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return serials.length - lo;
}

/**
 * The open filter groups, and which of them each series key matches. A flush looks a sample's
 * groups up once instead of running every group's globs over it: 200 distinct filters of 64 globs
 * took a core at 25 points/s re-matching the same keys on every flush. A key is checked against a
 * group once, when it first meets it; the cache starts over when it passes `maxKeys` keys, so it
 * is bounded whatever series come and go. Pairs may be checked in any order (`check`), so a
 * flush can spend a bounded budget on them and go on later.
 */
export class FilterGroups {
  private readonly byId = new Map<string, Group>();
  private readonly cache = new Map<SeriesKey, Matches>();
  /** Serials of the open groups, ascending. */
  private readonly open: number[] = [];
  private serial = 0;
  private removed = 0;
  private cleared = 0;

  constructor(
    private readonly maxKeys: number,
    private readonly maxGroups = Infinity,
  ) {}

  /** Distinct filters open now. */
  get size(): number {
    return this.byId.size;
  }

  /** Keys whose matches are cached (at most `maxKeys`). */
  get cachedKeys(): number {
    return this.cache.size;
  }

  values(): IterableIterator<Group> {
    return this.byId.values();
  }

  /** Whether a stream of `filter` may open: it joins a group, or there is room for one more. */
  admits(filter: SeriesFilter): boolean {
    return this.byId.has(filter.id) || this.byId.size < this.maxGroups;
  }

  /** The group of `filter`, created when it is new (check `admits` first); `done` is where a new group starts. */
  join(filter: SeriesFilter, done: Group['done'] = { seq: 0, cursor: null }): Group {
    let group = this.byId.get(filter.id);
    if (!group) {
      group = { filter, subscribers: new Set(), serial: ++this.serial, closed: false, queue: [], queuedBytes: 0, done };
      this.byId.set(filter.id, group);
      this.open.push(group.serial);
    }
    return group;
  }

  /** Forgets a group once its last stream has left. */
  release(group: Group): void {
    if (group.subscribers.size > 0 || group.closed) return;
    group.closed = true;
    group.queue.length = 0;
    group.queuedBytes = 0;
    this.byId.delete(group.filter.id);
    this.open.splice(this.open.indexOf(group.serial), 1);
    this.removed++;
  }

  /** How many times the cache has started over: an answer read before a change may be gone. */
  get generation(): number {
    return this.cleared;
  }

  /** Whether `key` has been checked against every open group. */
  settled(key: SeriesKey): boolean {
    const m = this.entry(key);
    if (m.checked === this.serial) return true;
    // Every open group past the mark checked (or none left open there, the newest having closed).
    if ((m.ahead?.length ?? 0) < countAbove(this.open, m.checked)) return false;
    m.checked = this.serial;
    m.ahead = undefined;
    return true;
  }

  /** Every open group with a serial up to this one has been checked against `key`. */
  checkedUpTo(key: SeriesKey): number {
    return this.entry(key).checked;
  }

  /** Whether the answer for `group` and `key` is cached. */
  known(group: Group, key: SeriesKey): boolean {
    const m = this.cache.get(key);
    return m !== undefined && (group.serial <= m.checked || (m.ahead?.includes(group) ?? false));
  }

  /** Whether `group`'s filter matches `key`: from the cache, or matched now and remembered. */
  check(group: Group, key: SeriesKey): boolean {
    const m = this.entry(key);
    if (group.serial <= m.checked || m.ahead?.includes(group)) return m.groups.includes(group);
    const matches = group.filter.matches(key);
    if (matches) m.groups.push(group);
    (m.ahead ??= []).push(group);
    // Once every open group past the mark is checked (`entry` pruned the closed ones), the mark moves to the newest.
    if (m.ahead.length === countAbove(this.open, m.checked)) {
      m.checked = this.serial;
      m.ahead = undefined;
    }
    return matches;
  }

  /** The groups cached as matching `key` (check each that may not be known yet). */
  matched(key: SeriesKey): readonly Group[] {
    return this.entry(key).groups;
  }

  /** The open groups whose filter matches `key`, every unchecked one checked now. */
  groupsOf(key: SeriesKey): readonly Group[] {
    const m = this.entry(key);
    if (m.checked !== this.serial) for (const g of this.byId.values()) if (g.serial > m.checked) this.check(g, key);
    return m.groups;
  }

  /** The cached matches of `key` (created empty), closed groups pruned. */
  private entry(key: SeriesKey): Matches {
    let m = this.cache.get(key);
    if (!m) {
      if (this.cache.size >= this.maxKeys) {
        this.cache.clear();
        this.cleared++;
      }
      m = { checked: 0, ahead: undefined, pruned: this.removed, groups: [] };
      this.cache.set(key, m);
    }
    if (m.pruned !== this.removed) {
      m.groups = m.groups.filter((g) => !g.closed);
      if (m.ahead) m.ahead = m.ahead.filter((g) => !g.closed);
      m.pruned = this.removed;
    }
    return m;
  }
}
