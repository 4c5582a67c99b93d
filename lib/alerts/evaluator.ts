import fs from 'node:fs';
import path from 'node:path';
import type { Batch } from '@/lib/bus';
import type { Leases } from '@/lib/bus/lease';
import { toRate } from '@/lib/dashboard/rate';
import { compileSelector, evaluateQuery, formatQuery, groupKey, selectorsOf, type CompiledSelector, type QueryNode, type QuerySeries } from '@/lib/query';
import type { Pair } from '@/lib/wire';
import type { Sample } from '@/lib/schema';
import { toSeriesKey } from '@/lib/series';
import { writeFileDurably } from '@/lib/storage/write';
import type { Store } from '@/lib/store';
import { render, reduce, step, type AlertInstance, type Transition } from './machine';
import { alertLabels, Notifier, webhookBody, type ChannelStatus, type Delivery } from './notify';
import { AlertsConfigError, EMPTY_CONFIG, MAX_FILE_BYTES, parseAlerts, type AlertsConfig, type Rule } from './rules';

/*
 * The alert evaluator: every ALERT_EVAL_INTERVAL, the instance holding the `alerts` lease (the
 * only instance without Redis) reads ALERTS_FILE if it changed, evaluates every rule over the hot
 * tier, steps each alert instance (lib/alerts/machine.ts), notifies, and publishes the `ALERTS`
 * series on the bus: one point per active instance and evaluation, value 1 in its state and 0 when
 * it leaves it, so every instance, every stream (a resume replays what it missed) and history
 * have the states. The state (instances, recent transitions, messages waiting) is saved to
 * `$DATA_DIR/alerts-state.json` and, with Redis, shared there, so a restart or a new leader neither
 * notifies twice nor forgets what fires.
 */

/** The metric name of alert states, as Prometheus names it. Only the evaluator writes it. */
export const ALERTS_METRIC = 'ALERTS';
/** Most instances one rule has; lines past it are not evaluated, and the rule says so. */
export const MAX_INSTANCES_PER_RULE = 1_000;
/** Recent transitions kept (shown on the alerts page, saved). */
export const HISTORY_MAX = 500;
/** Largest state shared through Redis. */
const SHARED_MAX_CHARS = 16 * 1024 * 1024;
/** Longest an evaluation holds the event loop at a time. */
const SLICE_MS = 10;
/** The state is written at most this often (and at shutdown). */
const SAVE_EVERY_MS = 1_000;

export interface HistoryEntry {
  rule: string;
  key: string;
  labels: Record<string, string>;
  severity: Rule['severity'];
  transition: Transition;
  at: number;
  value: number;
}

/** What is saved and shared. */
interface SavedState {
  version: 1;
  savedAt: number;
  instances: AlertInstance[];
  history: HistoryEntry[];
  queue: Delivery[];
}

/** One alert as the API and pages show it. */
export interface AlertView {
  rule: string;
  key: string;
  labels: Record<string, string>;
  severity: Rule['severity'];
  state: AlertInstance['state'];
  activeAt: number;
  firedAt: number | null;
  value: number | null;
  summary: string;
  runbook: string | null;
  silenced: boolean;
  /** The ALERTS series of its state. */
  series: string;
}

export interface RuleView {
  name: string;
  query: string;
  reads: string[];
  direction: 'above' | 'below';
  threshold: number;
  clear: number;
  severity: Rule['severity'];
  forMs: number;
  error: string | null;
}

export interface AlertsStatus {
  /** The instance evaluating (this one or another), null when none is known (Redis unreachable). */
  evaluator: string | null;
  leader: boolean;
  evaluatedAt: number | null;
  evaluationMs: number | null;
  /** Why ALERTS_FILE is not in force (the last good one is), or null. */
  configError: string | null;
  file: string | null;
  rules: RuleView[];
  alerts: AlertView[];
  recent: HistoryEntry[];
  channels: ChannelStatus[];
  silences: Array<{ matchers: string; until: number; comment?: string; active: boolean }>;
}

export interface EvaluatorDeps {
  store: Pick<Store, 'list' | 'history' | 'newestPoints' | 'keyChars'>;
  /** Publishes the ALERTS points (never fails: buffered while the bus is down). */
  publish: (batch: Batch) => void;
  leases: Leases;
  me: string;
  intervalMs: number;
  /** ALERTS_FILE; null: no rules. */
  file: string | null;
  /** Where the state is saved; null with DATA_DIR=none. */
  stateFile: string | null;
  /** The dashboard's address as receivers should link to it. */
  externalURL: string;
  /** With Redis: the state is the one shared there (the local file is a fallback, and its waiting messages are not sent again). */
  clustered?: boolean;
  /** QUERY_MAX_WORK: a rule whose matching over the keys held would cost more is not evaluated (and says so). */
  maxWork?: number;
  /** INGEST_MAX_LABELS and INGEST_MAX_SERIES_KEY_LENGTH: an ALERTS series past them would be refused by the other instances. */
  limits?: { maxLabels: number; maxSeriesKeyLength: number };
  log?: (line: string) => void;
  now?: () => number;
}

/** Whether a query keeps `__name__` as a label (`by (__name__)`). */
function keepsName(node: QueryNode): boolean {
  return node.kind === 'aggregate' ? node.by.includes('__name__') || keepsName(node.of) : node.kind === 'rank' ? keepsName(node.of) : false;
}

/** Histories read in one evaluation, by series key (and counters' per-second rates). */
interface Reads {
  points: Map<string, Pair[]>;
  rates: Map<string, Array<[number, number]>>;
  /** By the time a span starts: each series as the rules of that span read it. */
  views: Map<number, Map<string, QuerySeries>>;
  /** By span start and selector: the series it selects. */
  selected: Map<string, QuerySeries[]>;
}

// A series' instance key (its labels as `{k="v",…}`), by series key: made once, not at every evaluation.
const INSTANCE_KEYS_MAX = 200_000;
const instanceKeys = new Map<string, string>();
function instanceKeyOf(seriesKey: string, labels: Readonly<Record<string, string>>): string {
  let key = instanceKeys.get(seriesKey);
  if (key === undefined) {
    if (instanceKeys.size >= INSTANCE_KEYS_MAX) instanceKeys.clear();
    instanceKeys.set(seriesKey, (key = groupKey(labels)));
  }
  return key;
}

/** The points after `t` (time-ordered): a view from the first such point on. */
function after<T extends readonly [number, number]>(points: readonly T[], t: number): readonly T[] {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? points : points.slice(lo);
}

// Each rule's selectors, compiled once (rules are replaced whole when the file changes).
const compiled = new WeakMap<Rule, Array<{ name: string; text: string; selector: CompiledSelector }>>();
function compiledOf(rule: Rule): Array<{ name: string; text: string; selector: CompiledSelector }> {
  let list = compiled.get(rule);
  if (!list) compiled.set(rule, (list = selectorsOf(rule.query).map((s) => ({ name: s.name, text: formatQuery({ ...s, rate: false }), selector: compileSelector(s) }))));
  return list;
}

/** The ALERTS series of an instance in a state. */
export function alertSeries(rule: Rule, instance: Pick<AlertInstance, 'labels'>, state: AlertInstance['state']): string {
  return toSeriesKey(ALERTS_METRIC, { ...alertLabels(rule, instance), alertstate: state });
}

function isInstance(x: unknown): x is AlertInstance {
  const i = x as AlertInstance;
  return typeof i === 'object' && i !== null && typeof i.rule === 'string' && typeof i.key === 'string' && (i.state === 'pending' || i.state === 'firing') && typeof i.activeAt === 'number' && typeof i.labels === 'object' && i.labels !== null;
}

/** A saved state read back, what is malformed in it left out. */
function parseSaved(text: string): SavedState | null {
  try {
    const raw = JSON.parse(text) as Partial<SavedState>;
    if (raw?.version !== 1) return null;
    return {
      version: 1,
      savedAt: Number(raw.savedAt) || 0,
      instances: Array.isArray(raw.instances) ? raw.instances.filter(isInstance) : [],
      history: Array.isArray(raw.history) ? raw.history.filter((h) => typeof h?.rule === 'string').slice(-HISTORY_MAX) : [],
      queue: Array.isArray(raw.queue)
        ? raw.queue
            .filter((d) => typeof d?.id === 'string' && typeof d.body === 'string' && typeof d.channel === 'string')
            .map((d) => ({ ...d, alert: typeof d.alert === 'string' ? d.alert : '', queuedAt: Number(d.queuedAt) || 0, attempts: Number(d.attempts) || 0, dueAt: Number(d.dueAt) || 0 }))
        : [],
    };
  } catch {
    return null;
  }
}

export class AlertEvaluator {
  private config: AlertsConfig = EMPTY_CONFIG;
  private configError: string | null = null;
  private fileStamp = '';
  /** By rule, then by instance key. */
  private instances = new Map<string, Map<string, AlertInstance>>();
  private history: HistoryEntry[] = [];
  private ruleErrors = new Map<string, string>();
  private readonly notifier: Notifier;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private leader = false;
  private holder: string | null = null;
  private dirty = false;
  private savedAt = 0;
  private evaluatedAt: number | null = null;
  private evaluationMs: number | null = null;
  private stopped = false;
  /** What a follower last read of the leader's state. */
  private followed: SavedState | null = null;
  /** The state file as this process found it. */
  private local: SavedState | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private sharedAt = 0;
  private lastClaimAt = 0;
  private saveError: string | null = null;
  readonly totals = { evaluations: 0, evaluationFailures: 0, alertPointsOmitted: 0 };

  constructor(private readonly deps: EvaluatorDeps) {
    this.notifier = new Notifier({
      onChange: () => this.changed(),
      now: deps.now,
      log: (line) => this.log(line),
      active: () => this.leader && !this.stopped,
      // While ALERTS_FILE does not hold, a message to a channel it no longer names waits (the fix may bring it back).
      hold: () => this.configError !== null,
    });
    this.reload(true);
    this.local = this.readLocal();
    // Alone, the file is the state; with Redis it is only a fallback for when Redis has none.
    if (this.local && !deps.clustered) this.adopt(this.local);
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private log(line: string): void {
    (this.deps.log ?? console.log)(line);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref?.();
    void this.tick();
  }

  /** Stops evaluating and sending; saves what it holds. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.saveTimer);
    this.notifier.stop();
    if (this.leader) this.save(true);
  }

  /** The rules file's text (the current one, or an empty file when none exists yet). */
  fileText(): string {
    const { file } = this.deps;
    if (!file) return '{ "rules": [], "channels": [], "silences": [] }\n';
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '{ "rules": [], "channels": [], "silences": [] }\n';
    }
  }

  /** Checks `text` as an ALERTS_FILE and, if it holds, writes it and puts it in force; throws AlertsConfigError otherwise. */
  replaceFile(text: string): AlertsConfig {
    const { file } = this.deps;
    if (!file) throw new AlertsConfigError('ALERTS_FILE is not set and DATA_DIR is none: there is no file to write');
    const config = parseAlerts(text, path.basename(file), this.now);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileDurably(file, text.endsWith('\n') ? text : `${text}\n`, 0o600);
    this.reload(true);
    return config;
  }

  /** Reads ALERTS_FILE when it changed; a bad file leaves the last good one in force and says why. */
  private reload(force = false): void {
    const { file } = this.deps;
    if (!file) return;
    let stamp: string;
    try {
      const st = fs.statSync(file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (st.size > MAX_FILE_BYTES) throw new AlertsConfigError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (this.fileStamp !== 'none') {
          this.fileStamp = 'none';
          const before = this.config;
          this.config = EMPTY_CONFIG;
          this.configError = null;
          this.applyConfig(before);
        }
        return;
      }
      this.setError(AlertsConfigError.is(err) ? err.message : `${file}: ${(err as Error).message}`);
      return;
    }
    if (!force && stamp === this.fileStamp) return;
    this.fileStamp = stamp;
    const before = this.config;
    try {
      this.config = parseAlerts(fs.readFileSync(file, 'utf8'), file, this.now);
      if (this.configError) this.log(`[pulseboard] alerts: ${file} is valid again`);
      this.configError = null;
      this.log(`[pulseboard] alerts: ${this.config.rules.length} rule(s), ${this.config.channels.length} channel(s), ${this.config.silences.length} silence(s) from ${file}`);
      this.applyConfig(before);
    } catch (err) {
      this.setError(AlertsConfigError.is(err) ? err.message : `${file}: ${(err as Error).message}`);
    }
  }

  private setError(message: string): void {
    if (message !== this.configError) this.log(`[pulseboard] alerts: ${message} (the rules read before stay in force)`);
    this.configError = message;
  }

  private applyConfig(before: AlertsConfig = EMPTY_CONFIG): void {
    this.notifier.setChannels(this.config.channels);
    // Instances of rules no longer in the file end; receivers that heard one fire hear it resolve.
    const names = new Set(this.config.rules.map((r) => r.name));
    const old = new Map(before.rules.map((r) => [r.name, r]));
    const now = this.now;
    for (const [name, of] of [...this.instances]) {
      if (names.has(name)) continue;
      const rule = old.get(name);
      if (rule && this.leader) for (const i of of.values()) if (i.state === 'firing' && i.notifiedAt !== undefined) this.send(rule, i, 'resolved', now);
      this.instances.delete(name);
    }
    this.dirty = true;
  }

  /** Something to save changed: saved within SAVE_EVERY_MS (a delivery is on disk a second after its answer). */
  private changed(): void {
    this.dirty = true;
    if (this.saveTimer || !this.leader || this.stopped) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      if (this.leader && !this.stopped) this.save(true);
    }, SAVE_EVERY_MS);
    this.saveTimer.unref?.();
  }

  private adopt(saved: SavedState): void {
    this.instances = new Map();
    for (const i of saved.instances) {
      let of = this.instances.get(i.rule);
      if (!of) this.instances.set(i.rule, (of = new Map()));
      of.set(i.key, i);
    }
    this.history = saved.history;
    this.notifier.replace(saved.queue);
  }

  private readLocal(): SavedState | null {
    const { stateFile } = this.deps;
    if (!stateFile) return null;
    try {
      return parseSaved(fs.readFileSync(stateFile, 'utf8'));
    } catch {
      return null;
    }
  }

  private snapshotState(): SavedState {
    return { version: 1, savedAt: this.now, instances: [...this.instances.values()].flatMap((m) => [...m.values()]), history: this.history, queue: this.notifier.pending() };
  }

  /** Writes the state to disk and shares it (at most once a second unless `now`). */
  private save(now = false): void {
    // Shared again at least once a minute, unchanged or not: the key in Redis expires after an hour.
    const refresh = this.deps.clustered && this.now - this.sharedAt >= 60_000;
    if (!this.dirty && !now && !refresh) return;
    if (!now && !refresh && this.now - this.savedAt < SAVE_EVERY_MS) return;
    this.dirty = false;
    this.savedAt = this.now;
    const text = JSON.stringify(this.snapshotState());
    const { stateFile } = this.deps;
    if (stateFile) {
      try {
        fs.mkdirSync(path.dirname(stateFile), { recursive: true });
        writeFileDurably(stateFile, text, 0o600);
        if (this.saveError) this.log(`[pulseboard] alerts: the state is saved to ${stateFile} again`);
        this.saveError = null;
      } catch (err) {
        this.dirty = true;
        const message = (err as Error).message;
        if (message !== this.saveError) this.log(`[pulseboard] alerts: cannot save the state to ${stateFile}: ${message} (tried again at every evaluation)`);
        this.saveError = message;
      }
    }
    if (!this.deps.clustered) return;
    if (text.length > SHARED_MAX_CHARS) {
      this.log(`[pulseboard] alerts: the state is ${text.length} characters, more than the ${SHARED_MAX_CHARS} shared through Redis: another instance taking over would start from its own file`);
      return;
    }
    this.sharedAt = this.now;
    void this.deps.leases.share('alerts-state', text);
  }

  /** How long a claim of the alerts lease holds: 3 evaluations, at least 5 s. */
  private get leaseMs(): number {
    return Math.max(3 * this.deps.intervalMs, 5_000);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      this.reload();
      const claim = await this.deps.leases.claim('alerts', this.leaseMs);
      this.lastClaimAt = this.now;
      this.holder = claim.holder;
      if (claim.mine && !this.leader) {
        // Taking over: what the last leader shared is the truth (it saw more recently than our
        // file), its waiting messages instead of any this process held; the file when Redis has none.
        if (this.deps.clustered) {
          const shared = await this.deps.leases.shared('alerts-state', SHARED_MAX_CHARS);
          const state = (shared ? parseSaved(shared) : null) ?? this.local;
          if (state) this.adopt(state);
        }
        this.leader = true;
        this.log(`[pulseboard] alerts: this instance (${this.deps.me}) evaluates the rules`);
      } else if (!claim.mine && this.leader) {
        this.leader = false;
        this.notifier.clear();
        this.log(`[pulseboard] alerts: ${claim.holder ?? 'no instance (Redis unreachable)'} evaluates the rules now`);
      }
      if (!this.leader) {
        const shared = await this.deps.leases.shared('alerts-state', SHARED_MAX_CHARS);
        this.followed = shared ? parseSaved(shared) : this.followed;
        return;
      }
      const worked = await this.evaluate();
      if (worked === null) return;
      this.evaluationMs = worked;
      this.evaluatedAt = this.now;
      this.totals.evaluations++;
      this.notifier.kick();
      this.save();
    } catch (err) {
      this.totals.evaluationFailures++;
      this.log(`[pulseboard] alerts: evaluation failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      this.busy = false;
    }
  }

  /** Whether an instance's alert labels match a silence in force. */
  private silenced(rule: Rule, instance: Pick<AlertInstance, 'labels'>, now: number): boolean {
    if (this.config.silences.length === 0) return false;
    const labels = alertLabels(rule, instance);
    return this.config.silences.some((s) => s.starts <= now && now < s.until && s.selector.matches(ALERTS_METRIC, labels));
  }

  /**
   * One evaluation of every rule, in slices of at most SLICE_MS with the event loop free between
   * them (streams, ingest and health answer while 1,000 rules are evaluated); resolves with the
   * time it worked, in ms. Public for the benchmark and tests.
   */
  async evaluate(): Promise<number | null> {
    let sliceStart = performance.now();
    let busy = 0;
    const config = this.config;
    const now = this.now;
    const all = this.deps.store.list();
    const byName = new Map<string, typeof all>();
    for (const s of all) {
      let list = byName.get(s.meta.name);
      if (!list) byName.set(s.meta.name, (list = []));
      list.push(s);
    }
    // Each series' history is read once per evaluation, over the longest span any rule needs; a
    // rule takes its own part of it (rules of one metric share the reads, and the counters' rates).
    const stepMs = Math.max(1_000, this.deps.intervalMs);
    const longest = this.config.rules.reduce((m, r) => Math.max(m, r.window), 0) + 3 * stepMs;
    const read: Reads = { points: new Map(), rates: new Map(), views: new Map(), selected: new Map() };
    const samples: Sample[] = [];
    const publish = () => samples.length > 0 && this.deps.publish({ samples });
    for (const rule of config.rules) {
      this.evaluateRule(rule, now, stepMs, longest, all, byName, read, samples);
      const spent = performance.now() - sliceStart;
      if (spent < SLICE_MS) continue;
      busy += spent;
      await new Promise((resolve) => setImmediate(resolve));
      // Stopped: what was decided so far is published (its transitions are already in the state).
      if (this.stopped) return (publish(), busy);
      // The file changed (a PUT, an edit): this evaluation is dropped, the next reads the new rules.
      if (this.config !== config) return (publish(), null);
      // A long evaluation renews the lease on the way, and stops if another instance took it.
      if (this.deps.clustered && this.now - this.lastClaimAt > this.leaseMs / 3) {
        const claim = await this.deps.leases.claim('alerts', this.leaseMs);
        this.lastClaimAt = this.now;
        if (!claim.mine) {
          this.leader = false;
          this.holder = claim.holder;
          this.notifier.clear();
          this.log(`[pulseboard] alerts: the lease went to ${claim.holder ?? 'no instance (Redis unreachable)'} during an evaluation; it is dropped`);
          return null;
        }
      }
      sliceStart = performance.now();
    }
    publish();
    return busy + (performance.now() - sliceStart);
  }

  private evaluateRule(rule: Rule, now: number, stepMs: number, longest: number, all: ReturnType<Store['list']>, byName: Map<string, ReturnType<Store['list']>>, read: Reads, samples: Sample[]): void {
    // Enough behind the window for a counter's rate and an aggregation's lookback.
    const span = rule.window + 3 * stepMs;
    const from = now - (rule.window > 0 ? rule.window : 3 * stepMs);
    const since = now - span;
    const selectors = compiledOf(rule);
    // A name's series from the index; a glob of names looks at every series.
    const candidatesOf = (name: string) => (/[*?]/.test(name) ? all : (byName.get(name) ?? []));
    const maxWork = this.deps.maxWork;
    if (maxWork !== undefined) {
      const steps = selectors.reduce((c, x) => c + x.selector.cost, 0) * this.deps.store.keyChars;
      if (steps > maxWork) {
        this.ruleErrors.set(rule.name, `not evaluated: matching its selectors over the series held would cost about ${Number(steps.toPrecision(3))} steps, more than QUERY_MAX_WORK (${maxWork}); narrow the metric name (fewer * and ?) or use fewer =~ matchers`);
        return;
      }
    }
    // A glob of names (or `by (__name__)`) keeps each line's name: two metrics are two instances.
    const named = selectors.some((x) => /[*?]/.test(x.name)) || keepsName(rule.query);
    const labelsOf = (name: string, labels: Readonly<Record<string, string>>): Record<string, string> => (named ? { __name__: name, ...labels } : (labels as Record<string, string>));
    const node = rule.query;
    if (node.kind === 'selector' && !node.rate && rule.reduce === 'last') {
      // A plain selector's newest value: what the store's list has already (a counter's rate from its newest two points).
      const lines: Array<{ key: string; labels: Record<string, string>; value: number | null }> = [];
      for (const { name, selector } of selectors) {
        for (const s of candidatesOf(name)) {
          if (s.t <= from || !selector.matches(s.meta.name, s.meta.labels)) continue;
          const value = s.meta.type === 'counter' ? reduce(toRate(this.deps.store.newestPoints(s.meta.key, 2)), from, 'last') : s.v;
          const labels = labelsOf(s.meta.name, s.meta.labels);
          lines.push({ key: named ? groupKey(labels) : instanceKeyOf(s.meta.key, s.meta.labels), labels, value });
        }
      }
      this.settle(rule, lines, now, samples);
      return;
    }
    // The series a rule of this span reads, made once per evaluation and span (shared by every rule of the span).
    let views = read.views.get(since);
    if (!views) read.views.set(since, (views = new Map()));
    const series: QuerySeries[] = [];
    for (const { name, text, selector } of selectors) {
      // Rules of one selector and span share what it selects.
      const shared = read.selected.get(`${since}\n${text}`);
      if (shared) {
        for (const v of shared) series.push(v);
        continue;
      }
      const selected: QuerySeries[] = [];
      for (const s of candidatesOf(name)) {
        if (s.t < since) continue;
        const key = s.meta.key;
        let view = views.get(key);
        if (view === undefined) {
          let points = read.points.get(key);
          if (!points) read.points.set(key, (points = this.deps.store.history(key, longest, 100_000) ?? []));
          const counter = s.meta.type === 'counter';
          let rates = counter ? read.rates.get(key) : undefined;
          if (counter && !rates) read.rates.set(key, (rates = toRate(points)));
          view = { key, name: s.meta.name, labels: s.meta.labels, counter, points: after(points, since) };
          if (rates) view.rates = after(rates, since);
          views.set(key, view);
        }
        if (selector.matches(view.name, view.labels)) selected.push(view);
      }
      read.selected.set(`${since}\n${text}`, selected);
      for (const v of selected) series.push(v);
    }
    if (node.kind === 'selector' && !node.rate) {
      // A plain selector: each series is a line, its value read off its points (or rates) as they are.
      this.settle(
        rule,
        series.map((v) => {
          const labels = labelsOf(v.name, v.labels);
          return { key: named ? groupKey(labels) : instanceKeyOf(v.key, v.labels), labels, value: reduce(v.counter ? (v.rates ?? []) : v.points, from, rule.reduce) };
        }),
        now,
        samples,
      );
      return;
    }
    const lines = evaluateQuery(node, series, { from: since, to: now, stepMs });
    this.settle(
      rule,
      lines.map((line) => {
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(line.labels)) if (k !== '__name__' || named) labels[k] = v;
        return { key: groupKey(labels), labels, value: reduce(line.points, from, rule.reduce) };
      }),
      now,
      samples,
    );
  }

  /** A rule's lines of this evaluation applied to its instances (at most MAX_INSTANCES_PER_RULE), and those with no line stepped as no data. */
  private settle(rule: Rule, lines: Array<{ key: string; labels: Record<string, string>; value: number | null }>, now: number, samples: Sample[]): void {
    let of = this.instances.get(rule.name);
    if (!of) this.instances.set(rule.name, (of = new Map()));
    const seen = new Set<string>();
    if (lines.length > MAX_INSTANCES_PER_RULE) this.ruleErrors.set(rule.name, `the query gives ${lines.length} lines; at most ${MAX_INSTANCES_PER_RULE} are alert instances (the first by labels): aggregate it`);
    else this.ruleErrors.delete(rule.name);
    const chosen = lines.length > MAX_INSTANCES_PER_RULE ? [...lines].sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, MAX_INSTANCES_PER_RULE) : lines;
    for (const line of chosen) {
      seen.add(line.key);
      this.apply(rule, of, line.key, line.labels, line.value, now, samples);
    }
    // The instance a query without lines raised (noData: alerting) ends once lines are back.
    if (chosen.length > 0 && of.has('{}') && !seen.has('{}')) {
      seen.add('{}');
      this.apply(rule, of, '{}', {}, rule.clear, now, samples);
    }
    // Instances whose line is gone have no data; so does a rule whose query gives nothing at all.
    for (const [key, instance] of [...of]) if (!seen.has(key)) this.apply(rule, of, key, instance.labels, null, now, samples);
    if (chosen.length === 0 && !of.has('{}') && rule.noData === 'alerting') this.apply(rule, of, '{}', {}, null, now, samples);
  }

  private apply(rule: Rule, of: Map<string, AlertInstance>, key: string, labels: Record<string, string>, value: number | null, now: number, samples: Sample[]): void {
    const current = of.get(key);
    const { next, transition } = step(rule, current, value, now, key, labels);
    if (next) of.set(key, next);
    else of.delete(key);
    if (transition) {
      this.dirty = true;
      const instance = next ?? current!;
      this.history.push({ rule: rule.name, key, labels: instance.labels, severity: rule.severity, transition, at: now, value: value ?? NaN });
      if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
      // The state left goes to 0 on the ALERTS series (charts step down; streams hear it).
      if (current && current.state !== next?.state) this.point(rule, current, current.state, 0, now, samples);
    }
    if (next) this.point(rule, next, next.state, 1, now, samples);
    this.notify(rule, current && { ...current, value: value ?? NaN }, next, transition, now);
  }

  /** An ALERTS point, unless its series is past the point limits (the alert is evaluated and notified all the same). */
  private point(rule: Rule, instance: AlertInstance, state: AlertInstance['state'], v: number, t: number, samples: Sample[]): void {
    const { limits } = this.deps;
    const series = alertSeries(rule, instance, state);
    if (limits && (Object.keys(instance.labels).length + Object.keys(rule.labels ?? {}).length + 3 > limits.maxLabels || series.length > limits.maxSeriesKeyLength)) {
      if (this.totals.alertPointsOmitted++ === 0) this.log(`[pulseboard] alerts: ${rule.name}: an instance has too many or too long labels for an ALERTS series (INGEST_MAX_LABELS, INGEST_MAX_SERIES_KEY_LENGTH); it is evaluated and notified, not charted`);
      return;
    }
    samples.push({ series, t, v });
  }

  /** Firing, repeat and resolved messages to the rule's channels; a silenced instance is not notified (it is once the silence ends). */
  private notify(rule: Rule, before: AlertInstance | undefined, after: AlertInstance | undefined, transition: Transition | undefined, now: number): void {
    if (rule.notify.length === 0) return;
    if (transition === 'resolved' && before?.notifiedAt !== undefined) {
      // The receivers heard it fire: they hear it resolve, silenced or not.
      this.send(rule, before, 'resolved', now);
      return;
    }
    if (!after || after.state !== 'firing') return;
    if (this.silenced(rule, after, now)) return;
    // A repeat waits for the last message to be delivered (a receiver that is down gets one, late).
    const alert = `${rule.name}\n${after.key}`;
    if (after.notifiedAt !== undefined && this.notifier.waiting(alert)) return;
    const last = Math.max(after.notifiedAt ?? -Infinity, this.notifier.deliveredAt(alert) ?? -Infinity);
    if (after.notifiedAt === undefined || now - last >= rule.repeat) {
      this.send(rule, after, 'firing', now);
      after.notifiedAt = now;
      this.dirty = true;
    }
  }

  private send(rule: Rule, instance: AlertInstance, status: 'firing' | 'resolved', now: number): void {
    const summary = render(rule.summary, instance.labels, instance.value);
    for (const channel of rule.notify) {
      this.notifier.enqueue(channel, webhookBody(rule, instance, status, { receiver: channel, externalURL: this.deps.externalURL, summary, endsAt: now }), `${rule.name}\n${instance.key}`);
    }
  }

  /** What the API and the alerts page show: this instance's state when it evaluates, the leader's as shared otherwise. */
  status(): AlertsStatus {
    const now = this.now;
    const rules = new Map(this.config.rules.map((r) => [r.name, r]));
    const instances = this.leader || !this.followed ? [...this.instances.values()].flatMap((m) => [...m.values()]) : this.followed.instances;
    const history = this.leader || !this.followed ? this.history : this.followed.history;
    const alerts: AlertView[] = [];
    for (const i of instances) {
      const rule = rules.get(i.rule);
      if (!rule) continue;
      alerts.push({
        rule: i.rule,
        key: i.key,
        labels: alertLabels(rule, i),
        severity: rule.severity,
        state: i.state,
        activeAt: i.activeAt,
        firedAt: i.firedAt ?? null,
        value: Number.isFinite(i.value) ? i.value : null,
        summary: render(rule.summary, i.labels, i.value),
        runbook: rule.runbook ?? null,
        silenced: this.silenced(rule, i, now),
        series: alertSeries(rule, i, i.state),
      });
    }
    const order = { critical: 0, warning: 1, info: 2 };
    alerts.sort((a, b) => (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1) || order[a.severity] - order[b.severity] || a.activeAt - b.activeAt);
    return {
      evaluator: this.leader ? this.deps.me : this.holder,
      leader: this.leader,
      evaluatedAt: this.leader ? this.evaluatedAt : (this.followed?.savedAt ?? null),
      evaluationMs: this.leader ? this.evaluationMs : null,
      configError: this.configError,
      file: this.deps.file,
      rules: this.config.rules.map((r) => ({ name: r.name, query: r.queryText, reads: r.reads, direction: r.direction, threshold: r.threshold, clear: r.clear, severity: r.severity, forMs: r.for, error: this.ruleErrors.get(r.name) ?? null })),
      alerts,
      recent: [...history].reverse().slice(0, 100),
      channels: this.notifier.channelStatus(),
      silences: this.config.silences.map((s) => ({ matchers: s.matchers, until: s.until, ...(s.comment !== undefined && { comment: s.comment }), active: s.starts <= now && now < s.until })),
    };
  }

  /** Rules in force. */
  get ruleCount(): number {
    return this.config.rules.length;
  }

  /** Counters for `/api/metrics`. */
  metrics(): { notifications: Notifier['totals']; queued: number; channels: ChannelStatus[]; evaluations: number; evaluationFailures: number; firing: Record<string, number>; pending: number } {
    const firing: Record<string, number> = { critical: 0, warning: 0, info: 0 };
    let pending = 0;
    const severity = new Map(this.config.rules.map((r) => [r.name, r.severity]));
    const instances = this.leader || !this.followed ? [...this.instances.values()].flatMap((m) => [...m.values()]) : this.followed.instances;
    for (const i of instances) {
      const sev = severity.get(i.rule);
      if (sev === undefined) continue;
      if (i.state === 'firing') firing[sev] = (firing[sev] ?? 0) + 1;
      else pending++;
    }
    return { notifications: this.notifier.totals, queued: this.notifier.size, channels: this.notifier.channelStatus(), ...this.totals, firing, pending };
  }
}
