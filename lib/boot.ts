import 'server-only';
import { EnvError } from './env';
import { ingestResponse, respond } from './api';
import { getRuntime, installRequestGate, installShutdownHandlers, serveDirectly } from './runtime';

// Longest a start waits for the Redis stream's retained window; past it the instance serves
// what it has loaded and keeps loading (a Redis that is down does not hold start-up forever).
const WARM_START_TIMEOUT_MS = 15_000;

/**
 * Starts Pulseboard inside the Next.js server: parses configuration (a bad value stops
 * start-up with one message), creates the runtime and its collector, takes over shutdown,
 * puts the request gate (allowed hosts, cross-site refusals, security headers) before Next.js,
 * and with Redis loads the retained window before the first request is served.
 */
export async function boot(): Promise<void> {
  try {
    const runtime = getRuntime();
    installShutdownHandlers(runtime);
    const { env } = runtime;
    // NODE_ENV is fixed by Next.js at build time (production for `next build`), not a setting.
    installRequestGate({ allowedHosts: env.ALLOWED_HOSTS, token: env.INGEST_TOKEN, dev: process.env.NODE_ENV !== 'production' });
    // The route file's own function, without Next.js' per-request pipeline (about 1.4 ms a request).
    if (env.INGEST_DIRECT === 'on') serveDirectly('POST', '/api/ingest', (request) => respond(request, () => ingestResponse(request)));
    console.log(
      `[pulseboard] collecting every ${env.COLLECT_INTERVAL} ms as instance "${env.INSTANCE}", keeping ${env.HISTORY_RETENTION / 60_000} min of history in memory${env.DATA_DIR === 'none' ? ' only' : ` and more on disk in ${env.DATA_DIR}`}; bus: ${env.REDIS_URL ? `Redis stream "${env.REDIS_STREAM_KEY}"` : 'embedded'}`,
    );
    await runtime.bus.ready(WARM_START_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof EnvError || (err instanceof Error && err.name === 'StorageError')) {
      console.error(`[pulseboard] cannot start. ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
