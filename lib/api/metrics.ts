import 'server-only';
import type { DataView } from '@/lib/access';
import { REJECTION_REASONS } from '@/lib/ingest';
import { gateStats, getRuntime } from '@/lib/runtime';
import type { StorageStatus } from '@/lib/storage';
import type { SeriesSummary } from '@/lib/store';
import { REFUSAL_REASONS } from '@/lib/stream';

interface Family {
  name: string;
  type: 'gauge' | 'counter' | 'untyped';
  help?: string;
  samples: Array<{ labels?: string; value: number; t?: number }>;
}

// linear: each pattern is one literal character.
const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function render(families: Family[]): string {
  let out = '';
  for (const f of families) {
    if (f.help) out += `# HELP ${f.name} ${escapeHelp(f.help)}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${s.labels ?? ''} ${formatNumber(s.value)}${s.t !== undefined ? ` ${s.t}` : ''}\n`;
  }
  return out;
}

/** A counter family with one sample per reason (the reasons are Pulseboard's own words). */
function byReason(name: string, help: string, counts: Readonly<Record<string, number>>): Family {
  return { name, type: 'counter', help, samples: Object.entries(counts).map(([reason, value]) => ({ labels: `{reason="${reason}"}`, value })) };
}

/** Pulseboard's own health, as families. */
function healthFamilies(): Family[] {
  const { hub, store, counters, bus, storage, scraper, alerts } = getRuntime();
  const busStatus = bus.status();
  const g = (name: string, help: string, value: number): Family => ({ name, type: 'gauge', help, samples: [{ value }] });
  const c = (name: string, help: string, value: number): Family => ({ name, type: 'counter', help, samples: [{ value }] });
  const gate = gateStats();
  const reasons = [...new Set(Object.values(REJECTION_REASONS).concat(Object.keys(counters.ingestRejected)))].sort();
  return [
    g('pulseboard_streams_open', 'Event streams open now.', hub.size),
    c('pulseboard_streams_opened_total', 'Event streams opened since start.', hub.stats.opened),
    c('pulseboard_stream_events_sent_total', 'Events enqueued to streams.', hub.stats.eventsSent),
    c('pulseboard_stream_bytes_sent_total', 'Bytes enqueued to streams.', hub.stats.bytesSent),
    c('pulseboard_stream_slow_disconnects_total', 'Streams cut off for exceeding STREAM_MAX_QUEUE_BYTES.', hub.stats.slowDisconnects),
    c('pulseboard_stream_never_read_total', 'Streams closed because they were not read within 2 × HEARTBEAT_INTERVAL.', hub.stats.neverRead),
    g('pulseboard_stream_filters_behind', 'Filters whose matching of new series waits for a later turn (QUERY_MAX_WORK per flush).', hub.deferred),
    g('pulseboard_stream_queue_bytes', 'Bytes queued for streams and not yet written.', hub.queuedBytes()),
    c('pulseboard_streams_shed_total', 'Streams refused because MAX_STREAMS were open.', hub.stats.shed),
    {
      name: 'pulseboard_streams_refused_total',
      type: 'counter',
      help: 'Streams refused by a cap: per_client (MAX_STREAMS_PER_CLIENT, 429), filters (STREAM_MAX_FILTERS, 503), catchups (STREAM_MAX_CATCHUPS, retry hint).',
      samples: REFUSAL_REASONS.map((r) => ({ labels: `{reason="${r}"}`, value: hub.stats.refused[r] })),
    },
    g('pulseboard_stream_filters', 'Distinct series filters of the open streams (STREAM_MAX_FILTERS).', hub.filters),
    g('pulseboard_stream_catchups', 'Streams sending what they missed from the replay log now (STREAM_MAX_CATCHUPS).', hub.catchUps),
    c('pulseboard_stream_resumes_total', 'Streams that resumed from a cursor and got everything they missed.', hub.stats.resumed),
    c('pulseboard_stream_resets_total', 'Streams whose cursor was no longer in the replay log (told to refetch).', hub.stats.resets),
    g('pulseboard_replay_bytes', 'Bytes held by the replay log (REPLAY_MAX_BYTES).', hub.replayBytes),
    g('pulseboard_bus_up', 'Whether the bus can publish (0 while Redis is unreachable).', busStatus.state === 'up' ? 1 : 0),
    g('pulseboard_bus_outbox_batches', 'Collector batches waiting for Redis.', busStatus.outbox.batches),
    g('pulseboard_bus_outbox_bytes', 'Bytes of collector batches waiting for Redis (REDIS_OUTBOX_MAX_BYTES).', busStatus.outbox.bytes),
    c('pulseboard_bus_outbox_dropped_total', 'Collector batches dropped because the outbox was full.', busStatus.outbox.dropped),
    c('pulseboard_bus_invalid_entries_total', 'Redis stream entries skipped as invalid.', busStatus.invalidEntries),
    c('pulseboard_bus_points_total', 'Points delivered by the bus, from every source.', counters.pointsPublished),
    c('pulseboard_ingest_requests_total', 'POST /api/ingest requests.', counters.ingestRequests),
    c('pulseboard_ingest_points_total', 'Points accepted by POST /api/ingest.', counters.ingestPoints),
    {
      name: 'pulseboard_ingest_rejected_total',
      type: 'counter',
      help: 'POST /api/ingest requests refused, by reason.',
      samples: reasons.map((r) => ({ labels: `{reason="${r}"}`, value: counters.ingestRejected[r] ?? 0 })),
    },
    c('pulseboard_requests_direct_total', 'Requests answered before Next.js by the route\'s own function (POST /api/ingest with INGEST_DIRECT=on).', gate.direct),
    byReason('pulseboard_requests_refused_total', 'Requests the gate refused: a target that is not a path, a Host not in ALLOWED_HOSTS, or a cross-site browser request.', gate.refused),
    g('pulseboard_series', 'Series held in memory.', store.size),
    g('pulseboard_series_max', 'Most series held (MAX_SERIES).', store.maxSeries),
    byReason('pulseboard_store_dropped_points_total', 'Points the store could not keep, by reason.', {
      out_of_order: store.dropped.outOfOrder,
      series_cap: store.dropped.seriesCap,
      duplicate: store.dropped.duplicate,
      reserved: store.dropped.reserved,
    }),
    ...(storage ? storageFamilies(storage.status()) : []),
    ...(scraper
      ? [
          g('pulseboard_scrape_targets', 'Scrape targets configured (SCRAPE_TARGETS, SCRAPE_FILE).', scraper.size),
          g('pulseboard_scrape_targets_down', 'Targets whose last scrape failed.', scraper.status().filter((t) => t.health === 'down').length),
          c('pulseboard_scrapes_total', 'Scrapes made by this instance.', scraper.totals.scrapes),
          c('pulseboard_scrape_failures_total', 'Scrapes by this instance that failed (the target is down, slow, too large or not the text format).', scraper.totals.failures),
          c('pulseboard_scrapes_skipped_total', 'Scrapes skipped because the previous one of the same target was still running.', scraper.totals.skipped),
        ]
      : []),
    ...alertFamilies(alerts.metrics()),
  ];
}

/** The alert evaluator's counts, and each channel's deliveries (channel names are letters, digits and `_.:-`). */
function alertFamilies(m: ReturnType<ReturnType<typeof getRuntime>['alerts']['metrics']>): Family[] {
  const perChannel = (name: string, help: string, pick: (c: (typeof m.channels)[number]) => number): Family => ({
    name,
    type: 'counter',
    help,
    samples: m.channels.map((c) => ({ labels: `{channel="${c.name}"}`, value: pick(c) })),
  });
  return [
    { name: 'pulseboard_alerts_firing', type: 'gauge', help: 'Alert instances firing, by severity.', samples: Object.entries(m.firing).map(([severity, value]) => ({ labels: `{severity="${severity}"}`, value })) },
    { name: 'pulseboard_alerts_pending', type: 'gauge', help: 'Alert instances pending (past the threshold, not yet for `for`).', samples: [{ value: m.pending }] },
    { name: 'pulseboard_alert_evaluations_total', type: 'counter', help: 'Evaluations of the rules by this instance.', samples: [{ value: m.evaluations }] },
    { name: 'pulseboard_alert_evaluation_failures_total', type: 'counter', help: 'Evaluations that failed (logged).', samples: [{ value: m.evaluationFailures }] },
    { name: 'pulseboard_alert_notifications_queued', type: 'gauge', help: 'Notifications waiting to be sent or retried.', samples: [{ value: m.queued }] },
    perChannel('pulseboard_alert_notifications_sent_total', 'Notifications delivered (2xx), by channel.', (c) => c.sent),
    perChannel('pulseboard_alert_notification_failures_total', 'Notification attempts that failed, by channel (each retry counts).', (c) => c.failed),
    perChannel('pulseboard_alert_notifications_retried_total', 'Notifications delivered after at least one failed attempt, by channel.', (c) => c.retried),
    perChannel('pulseboard_alert_notifications_dropped_total', 'Notifications given up (refused by the receiver, retried for an hour, or pushed out of a full queue), by channel.', (c) => c.dropped),
  ];
}

/** The durable store's disk use, writes and damage (absent with DATA_DIR=none). */
function storageFamilies(s: StorageStatus): Family[] {
  const g = (name: string, help: string, value: number): Family => ({ name, type: 'gauge', help, samples: [{ value }] });
  const c = (name: string, help: string, value: number): Family => ({ name, type: 'counter', help, samples: [{ value }] });
  return [
    g('pulseboard_storage_up', 'Whether history is being saved to DATA_DIR (0 while writes fail: see /api/health).', s.state === 'ok' ? 1 : 0),
    {
      name: 'pulseboard_storage_bytes',
      type: 'gauge',
      help: 'Bytes DATA_DIR holds, by part: the log and blocks by tier (DATA_MAX_BYTES bounds the total).',
      samples: [{ labels: '{part="wal"}', value: s.bytes.wal }, ...Object.entries(s.bytes.blocks).map(([tier, value]) => ({ labels: `{part="${tier}"}`, value }))],
    },
    g('pulseboard_storage_blocks', 'Block files in DATA_DIR.', s.blocks),
    c('pulseboard_storage_samples_written_total', 'Points written to the durable store.', s.written.samples),
    c('pulseboard_storage_wal_bytes_written_total', 'Bytes appended to the write-ahead log.', s.written.walBytes),
    c('pulseboard_storage_block_bytes_written_total', 'Bytes of blocks written (checkpoints, seals, rollups): with the log, the write amplification.', s.written.blockBytes),
    c('pulseboard_storage_fsyncs_total', 'fsyncs of the write-ahead log.', s.written.syncs),
    ...(Number.isFinite(s.rawBytesPerSample) ? [g('pulseboard_storage_raw_bytes_per_sample', 'Bytes a raw point takes compressed, over the chunks encoded since start.', s.rawBytesPerSample)] : []),
    c('pulseboard_storage_checkpoints_total', 'Checkpoints written.', s.checkpoints),
    c('pulseboard_storage_seals_total', 'Finished hours sealed into raw and 1-minute blocks (compactions).', s.seals),
    c('pulseboard_storage_merges_total', "Compactions merging a day's blocks of 1-minute rollups, or a 7-day period's of 1-hour rollups, into one.", s.merges),
    c('pulseboard_storage_series_forgotten_total', 'Series forgotten because retention or DATA_MAX_BYTES deleted all their data (series.log rewritten without them).', s.forgotten),
    c('pulseboard_storage_merge_failures_total', 'Merges that failed (the blocks stay as they were; tried again an hour later).', s.mergeFailures),
    c('pulseboard_storage_damaged_total', 'Damaged records and chunks found and skipped (see the log for which file).', s.damaged),
    byReason('pulseboard_storage_dropped_total', 'Points or blocks the durable store did not keep, by reason.', {
      out_of_order: s.dropped.outOfOrder,
      for_space: s.dropped.forSpace,
      unsaved: s.dropped.unsaved,
    }),
  ];
}

/** The newest point of every series, grouped into one family per metric name. */
function seriesFamilies(list: SeriesSummary[], taken: ReadonlySet<string>, helpOf: (name: string) => string | undefined): Family[] {
  const byName = new Map<string, Family>();
  for (const { meta, t, v } of list) {
    if (!Number.isFinite(t) || taken.has(meta.name)) continue;
    let f = byName.get(meta.name);
    if (!f) {
      const type = meta.type === 'counter' || meta.type === 'gauge' ? meta.type : 'untyped';
      byName.set(meta.name, (f = { name: meta.name, type, help: helpOf(meta.name), samples: [] }));
    }
    f.samples.push({ labels: meta.key.slice(meta.name.length), value: v, t });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `GET /api/metrics`: Prometheus text exposition (0.0.4) of health figures and every series'
 * newest point. A scoped user or token gets its scope's series only: the health figures are the
 * whole instance's.
 */
export function metricsText(view: DataView): string {
  const health = view.scope ? [] : healthFamilies();
  // ALERTS is the alert evaluator's own (ingest refuses it): left out, so what this prints can be
  // ingested again; pulseboard_alerts_firing says what fires.
  const taken = new Set([...health.map((f) => f.name), 'ALERTS']);
  const { store } = view;
  return render(health) + render(seriesFamilies(store.list(), taken, (name) => store.metric(name)?.help));
}
