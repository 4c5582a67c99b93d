import type { Cursor } from '@/lib/bus';
import type { SeriesKey } from '@/lib/series';
import { nameOf, selectFor, type ItemText, type Selection } from './encode';
import type { FilterGroups, Group } from './groups';

/** What one flush hands the streams: everything published since the last, in order. */
export interface Batch extends Selection {
  /** Cursor of its newest message. */
  id: Cursor;
  /** Its place in the hub's order of batches and notices: a stream opened after it does not get it. */
  seq: number;
  /** Its size as encoded for a stream without a filter: what a group is charged while it waits. */
  bytes: number;
  /** Its items' JSON, shared by every group. */
  items: ItemText;
  /** Its keys not yet checked against every group, set by the flush. */
  unsettled?: SeriesKey[];
}

/** Bytes for every group in order with the batches (a `bus` notice). */
export interface Notice {
  seq: number;
  bytes: Uint8Array;
  events: number;
}

/** An item of a group's queue: a batch and how far into its unsettled keys the group's matching is, or a notice. */
export type Deferred = { kind: 'batch'; batch: Batch; next: number } | { kind: 'notice'; notice: Notice };

/** What the fan-out needs of the hub. */
interface FanoutDeps {
  groups: FilterGroups;
  /** QUERY_MAX_WORK: matching steps one flush (and each later turn) may spend on pairs not cached. */
  maxWork: number;
  /** Hands a group its part of a batch (nothing when the selection is empty but `done`). */
  deliver(group: Group, batch: Batch, selection: Selection): void;
  notify(group: Group, notice: Notice): void;
  /** A group's queue is about to grow: its streams' caps are checked. */
  charged(group: Group): void;
}

/**
 * Hands each batch to every filter group, spending at most `maxWork` matching steps per turn on
 * (group, key) pairs not cached — a pair is estimated at the filter's cost per character times
 * the key's length. Ten streams each with a new 64-glob filter and one round of 9,900 points held
 * the event loop 14.5 s matching every pair at once. A group whose pairs are all cached gets the
 * batch in the same flush; the others queue it, in order (a later batch waits behind an earlier
 * one), and are matched in turns, round robin, one setImmediate at a time, so that no group holds
 * up the rest and health checks and ingest run between turns. A queued batch is charged to the
 * group's streams at its unfiltered size: a group that cannot keep up is cut off as slow.
 */
export class Fanout {
  /** Groups with a queue, in the order of their next turn. */
  private readonly waiting = new Set<Group>();
  private scheduled = false;

  constructor(private readonly deps: FanoutDeps) {}

  /** Groups still matching or delivering queued batches. */
  get behind(): number {
    return this.waiting.size;
  }

  flush(batch: Batch): void {
    const { groups } = this.deps;
    const generation = groups.generation;
    const keys = new Set<SeriesKey>(batch.series);
    for (const s of batch.samples) keys.add(s.series);
    const unsettled = [...keys].filter((k) => !groups.settled(k));
    batch.unsettled = unsettled;
    // Groups up to the lowest mark are known for every key of the batch.
    let floor = Infinity;
    for (const k of unsettled) floor = Math.min(floor, groups.checkedUpTo(k));
    const ready = new Set<Group>();
    for (const group of groups.values()) {
      if (group.queue.length === 0 && (group.serial <= floor || unsettled.every((k) => groups.known(group, k)))) ready.add(group);
      else this.defer(group, { kind: 'batch', batch, next: 0 });
    }
    if (groups.generation !== generation) {
      // The cache started over while the batch was looked at (more new keys than it holds): what
      // was known may be gone, so each ready group matches what it must, as a queued batch does.
      for (const group of ready) this.finish(group, batch);
    } else if (ready.size > 0) this.handOut(batch, ready);
    this.turn();
  }

  /** A notice for every group, in order behind what each has queued. */
  notify(notice: Notice): void {
    for (const group of this.deps.groups.values()) {
      if (group.queue.length === 0) this.deps.notify(group, notice);
      else this.defer(group, { kind: 'notice', notice });
    }
  }

  /** One pass over the batch for every group ready for it: each key's cached groups, order kept. */
  private handOut(batch: Batch, ready: ReadonlySet<Group>): void {
    const { groups } = this.deps;
    const out = new Map<Group, Selection>();
    const of = (group: Group): Selection => {
      let s = out.get(group);
      if (!s) out.set(group, (s = { metrics: [], series: [], samples: [] }));
      return s;
    };
    for (const key of batch.series) for (const g of groups.matched(key)) if (ready.has(g)) of(g).series.push(key);
    for (const s of batch.samples) for (const g of groups.matched(s.series)) if (ready.has(g)) of(g).samples.push(s);
    if (batch.metrics.length > 0) {
      for (const selection of out.values()) {
        const names = new Set<string>();
        for (const key of selection.series) names.add(nameOf(key));
        for (const s of selection.samples) names.add(nameOf(s.series));
        selection.metrics = batch.metrics.filter((m) => names.has(m.name));
      }
    }
    for (const group of ready) {
      group.done = { seq: batch.seq, cursor: batch.id };
      const selection = out.get(group);
      if (selection) this.deps.deliver(group, batch, selection);
    }
  }

  private defer(group: Group, item: Deferred): void {
    // What the group's streams hold from before is checked first, as for any arrival (Subscriber.send).
    this.deps.charged(group);
    if (group.closed) return;
    group.queue.push(item);
    group.queuedBytes += item.kind === 'batch' ? item.batch.bytes : item.notice.bytes.byteLength;
    this.waiting.add(group);
  }

  /** Spends one turn's budget on the waiting groups, round robin; schedules the next turn if any wait still. */
  private readonly turn = (): void => {
    this.scheduled = false;
    let budget = this.deps.maxWork;
    while (budget > 0 && this.waiting.size > 0) {
      const share = Math.max(1, Math.floor(budget / this.waiting.size));
      for (const group of [...this.waiting]) {
        budget -= this.advance(group, Math.min(share, budget));
        // To the back of the line, or out of it.
        this.waiting.delete(group);
        if (group.queue.length > 0 && !group.closed) this.waiting.add(group);
        if (budget <= 0) break;
      }
    }
    if (this.waiting.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  };

  /** Works through `group`'s queue for up to `quota` steps (at least one pair); returns the steps spent. */
  private advance(group: Group, quota: number): number {
    const { groups } = this.deps;
    let spent = 0;
    while (!group.closed && group.queue.length > 0) {
      const item = group.queue[0] as Deferred;
      if (item.kind === 'batch') {
        const keys = item.batch.unsettled ?? [];
        for (; item.next < keys.length; item.next++) {
          const key = keys[item.next] as SeriesKey;
          if (groups.known(group, key)) continue;
          if (spent >= quota) return spent;
          spent += 1 + group.filter.cost * key.length;
          groups.check(group, key);
        }
      }
      group.queue.shift();
      if (item.kind === 'notice') {
        group.queuedBytes -= item.notice.bytes.byteLength;
        this.deps.notify(group, item.notice);
        continue;
      }
      group.queuedBytes -= item.batch.bytes;
      this.finish(group, item.batch);
    }
    return spent;
  }

  /** Hands `group` its part of `batch`: every pair is known by now (or, after the cache started over, matched here once more). */
  private finish(group: Group, batch: Batch): void {
    group.done = { seq: batch.seq, cursor: batch.id };
    const selection = selectFor(batch, (key) => this.deps.groups.check(group, key));
    if (selection.samples.length + selection.series.length > 0) this.deps.deliver(group, batch, selection);
  }
}
