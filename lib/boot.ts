import 'server-only';
import net from 'node:net';
import { EnvError, type Env } from './env';
import { checkAccess, getAccess } from './access';
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
    // Read before the first request: a bad auth file stops start-up with its message.
    const access = getAccess();
    // NODE_ENV is fixed by Next.js at build time (production for `next build`), not a setting.
    installRequestGate({ allowedHosts: env.ALLOWED_HOSTS, token: env.INGEST_TOKEN, dev: process.env.NODE_ENV !== 'production', access: checkAccess });
    // The route file's own function, without Next.js' per-request pipeline (about 1.4 ms a request).
    if (env.INGEST_DIRECT === 'on') serveDirectly('POST', '/api/ingest', (request) => respond(request, () => ingestResponse(request)));
    console.log(
      `[pulseboard] collecting every ${env.COLLECT_INTERVAL} ms as instance "${env.INSTANCE}", keeping ${env.HISTORY_RETENTION / 60_000} min of history in memory${env.DATA_DIR === 'none' ? ' only' : ` and more on disk in ${env.DATA_DIR}`}; bus: ${env.REDIS_URL ? `Redis stream "${env.REDIS_STREAM_KEY}"` : 'embedded'}`,
    );
    announceAccess(env, access.directory.directory.users.size, access.directory.directory.tokens.size);
    await runtime.bus.ready(WARM_START_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof EnvError || (err instanceof Error && (err.name === 'StorageError' || err.name === 'AuthFileError' || err.name === 'ScrapeConfigError'))) {
      console.error(`[pulseboard] cannot start. ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

/** The addresses this process listens on (Next.js has bound its server before instrumentation runs). */
function listening(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  const out: string[] = [];
  for (const handle of handles) {
    if (!(handle instanceof net.Server)) continue;
    const address = handle.address();
    if (address && typeof address === 'object') out.push(address.address);
  }
  return out;
}

const isLoopback = (address: string) => address === '::1' || address.startsWith('127.') || address === 'localhost' || address.startsWith('::ffff:127.');

/**
 * Says how access is controlled; with AUTH=none on an address other than loopback, loudly: then
 * anyone who can reach the port reads everything.
 */
function announceAccess(env: Env, users: number, tokens: number): void {
  const addresses = listening();
  const open = addresses.filter((a) => !isLoopback(a));
  if (env.AUTH === 'none') {
    if (open.length > 0) {
      console.warn(
        `[pulseboard] WARNING: listening on ${open.map((a) => (a === '::' || a === '0.0.0.0' ? `${a} (every interface)` : a)).join(', ')} with AUTH=none: ANYONE WHO CAN REACH THIS PORT CAN READ EVERY METRIC, LABEL AND ITS HISTORY. Set AUTH=password (README, "Access control") or listen on loopback (HOST=127.0.0.1).`,
      );
    } else {
      console.log(`[pulseboard] access: AUTH=none, listening on loopback only (${addresses.join(', ') || 'address unknown'}); set HOST and AUTH to serve others`);
    }
    return;
  }
  console.log(`[pulseboard] access: AUTH=${env.AUTH}, ${users} user(s) and ${tokens} token(s) in ${env.AUTH_FILE ?? '(no auth file)'}${env.AUTH === 'proxy' ? `; ${env.AUTH_PROXY_HEADER} believed from ${env.TRUSTED_PROXIES.join(', ')}` : ''}`);
  if (env.AUTH === 'password' && users === 0) {
    console.warn('[pulseboard] access: no users yet, so nobody can sign in: add one with  npm run pulseboard -- user add NAME');
  }
}
