import type { SeriesFilter, SeriesKey } from '@/lib/series';
import type { Selection } from './encode';
import type { Subscriber } from './subscriber';

/** Streams that share a filter, and so share encoded bytes. */
export interface Group {
  readonly filter: SeriesFilter;
  readonly subscribers: Set<Subscriber>;
  /** Order of creation: a cached key has been checked against every group up to some serial. */
  readonly serial: number;
  /** Set once the last stream has left; cached lists drop it when they next see it. */
  closed: boolean;
}

/** Which groups a key matches, as of the newest group checked and the removals pruned. */
interface Matches {
  checked: number;
  pruned: number;
  groups: Group[];
}

/**
 * The open filter groups, and which of them each series key matches. A flush looks a sample's
 * groups up once instead of running every group's globs over it: 200 distinct filters of 64 globs
 * took a core at 25 points/s re-matching the same keys on every flush. A key is checked against a
 * group once, when it first meets it; the cache starts over when it passes `maxKeys` keys, so it
 * is bounded whatever series come and go.
 */
export class FilterGroups {
  private readonly byId = new Map<string, Group>();
  private readonly cache = new Map<SeriesKey, Matches>();
  private serial = 0;
  private removed = 0;

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

  /** The group of `filter`, created when it is new (check `admits` first). */
  join(filter: SeriesFilter): Group {
    let group = this.byId.get(filter.id);
    if (!group) {
      group = { filter, subscribers: new Set(), serial: ++this.serial, closed: false };
      this.byId.set(filter.id, group);
    }
    return group;
  }

  /** Forgets a group once its last stream has left. */
  release(group: Group): void {
    if (group.subscribers.size > 0 || group.closed) return;
    group.closed = true;
    this.byId.delete(group.filter.id);
    this.removed++;
  }

  /** The open groups whose filter matches `key`. */
  groupsOf(key: SeriesKey): readonly Group[] {
    let m = this.cache.get(key);
    if (!m) {
      if (this.cache.size >= this.maxKeys) this.cache.clear();
      m = { checked: 0, pruned: this.removed, groups: [] };
      this.cache.set(key, m);
    }
    if (m.pruned !== this.removed) {
      m.groups = m.groups.filter((g) => !g.closed);
      m.pruned = this.removed;
    }
    if (m.checked !== this.serial) {
      for (const g of this.byId.values()) if (g.serial > m.checked && g.filter.matches(key)) m.groups.push(g);
      m.checked = this.serial;
    }
    return m.groups;
  }

  /** Whether `group`'s filter matches `key`, from the cache. */
  matches(group: Group, key: SeriesKey): boolean {
    return this.groupsOf(key).includes(group);
  }

  /** What each group gets of some samples and announcements: one cached lookup per item, order kept. */
  select({ samples, meta }: Selection): Map<Group, Selection> {
    const out = new Map<Group, Selection>();
    const of = (group: Group): Selection => {
      let s = out.get(group);
      if (!s) out.set(group, (s = { samples: [], meta: [] }));
      return s;
    };
    for (const m of meta) for (const group of this.groupsOf(m.key)) of(group).meta.push(m);
    for (const s of samples) for (const group of this.groupsOf(s.series)) of(group).samples.push(s);
    return out;
  }
}
