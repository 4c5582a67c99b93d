import 'server-only';
import { getRuntime } from '@/lib/runtime';

/** Liveness and readiness, with the figures an operator checks first. */
export function health() {
  const { env, bus, store, hub, startedAt } = getRuntime();
  return {
    status: 'ok' as const,
    instance: env.INSTANCE,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    bus: { kind: bus.kind, state: 'up' as const, cursor: bus.lastId },
    streams: {
      open: hub.size,
      max: env.MAX_STREAMS,
      opened: hub.stats.opened,
      slowDisconnects: hub.stats.slowDisconnects,
      shed: hub.stats.shed,
    },
    series: { count: store.size, max: store.maxSeries },
  };
}
