import 'server-only';
import { viewFor, type Identity } from '@/lib/access';
import { getRuntime } from '@/lib/runtime';

/**
 * Liveness and readiness, with the figures an operator checks first. `degraded` (still HTTP 200:
 * open streams keep working) while the bus cannot publish, i.e. Redis is unreachable.
 */
export function health(identity: Identity) {
  const { env, bus, store, hub, storage, startedAt } = getRuntime();
  const status = bus.status();
  const disk = storage?.status();
  const overall = status.state === 'up' && disk?.state !== 'degraded' ? ('ok' as const) : ('degraded' as const);
  // Without credentials under AUTH=password|proxy (a load balancer's probe): the status alone.
  if (!identity.roles.includes('read')) return { status: overall };
  // A scoped reader: its own series count; the instance's name, paths and errors are not its to see.
  if (identity.scope !== null) return { status: overall, series: { count: viewFor(identity).store.size } };
  return {
    status: overall,
    instance: env.INSTANCE,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    bus: {
      kind: bus.kind,
      state: status.state,
      since: new Date(status.since).toISOString(),
      ...(status.lastError !== null && { lastError: status.lastError }),
      cursor: bus.lastId,
      ...(bus.kind === 'redis' && { outbox: status.outbox, invalidEntries: status.invalidEntries }),
    },
    streams: {
      open: hub.size,
      max: env.MAX_STREAMS,
      opened: hub.stats.opened,
      slowDisconnects: hub.stats.slowDisconnects,
      shed: hub.stats.shed,
      maxPerClient: env.MAX_STREAMS_PER_CLIENT,
      filters: hub.filters,
      maxFilters: env.STREAM_MAX_FILTERS,
      catchUps: hub.catchUps,
      maxCatchUps: env.STREAM_MAX_CATCHUPS,
      refused: { ...hub.stats.refused },
    },
    series: { count: store.size, max: store.maxSeries },
    storage: disk
      ? {
          state: disk.state,
          ...(disk.reason !== null && { reason: disk.reason }),
          since: new Date(disk.since).toISOString(),
          dir: disk.dir,
          bytes: disk.bytes.total,
          maxBytes: env.DATA_MAX_BYTES,
          damaged: disk.damaged,
          fsyncIntervalMs: env.FSYNC_INTERVAL,
        }
      : { state: 'off' as const },
  };
}
