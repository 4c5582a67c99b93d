import 'server-only';
import { EnvError } from './env';
import { getRuntime, installShutdownHandlers, stampPeerAddresses } from './runtime';

/**
 * Starts Pulseboard inside the Next.js server: parses configuration (a bad value stops
 * start-up with one message), creates the runtime and its collector, takes over shutdown.
 */
export function boot(): void {
  try {
    const runtime = getRuntime();
    installShutdownHandlers(runtime);
    stampPeerAddresses();
    console.log(
      `[pulseboard] collecting every ${runtime.env.COLLECT_INTERVAL} ms as instance "${runtime.env.INSTANCE}", keeping ${runtime.env.HISTORY_RETENTION / 60_000} min of history`,
    );
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`[pulseboard] cannot start. ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
