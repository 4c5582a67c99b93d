import { existsSync } from 'node:fs';

/**
 * Debian's Chromium (Playwright cannot download its own browser here). A missing browser fails
 * the run with what to install, never a silent skip.
 */
export function chromiumPath(): string {
  const path = process.env.PLAYWRIGHT_CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Install it (Debian/Ubuntu: "apt-get install -y chromium") or set PLAYWRIGHT_CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return path;
}
