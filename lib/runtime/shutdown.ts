import 'server-only';
import type { Runtime } from './runtime';

// Long enough for the final `retry:` hints to leave the socket buffers.
const FLUSH_MS = 200;

/**
 * Replaces Next's SIGTERM/SIGINT handling, which waits for every open response to finish —
 * with event streams open that is never. Pulseboard drains its own streams (each told to
 * reconnect after a jittered delay), then exits 0; SHUTDOWN_TIMEOUT bounds the whole of it.
 */
export function installShutdownHandlers(runtime: Runtime): void {
  const holder = globalThis as { __pulseboardShutdownInstalled?: boolean };
  if (holder.__pulseboardShutdownInstalled) return;
  holder.__pulseboardShutdownInstalled = true;

  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`[pulseboard] ${signal}: draining ${runtime.hub.size} stream(s)`);
    const deadline = setTimeout(() => {
      console.error(`[pulseboard] shutdown took longer than SHUTDOWN_TIMEOUT (${runtime.env.SHUTDOWN_TIMEOUT} ms); exiting`);
      process.exit(1);
    }, runtime.env.SHUTDOWN_TIMEOUT);
    deadline.unref();
    runtime
      .shutdown()
      .then(() => new Promise((resolve) => setTimeout(resolve, FLUSH_MS)))
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error('[pulseboard] shutdown failed:', err);
        process.exit(1);
      });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, onSignal);
  }
}
