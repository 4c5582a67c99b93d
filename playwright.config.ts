import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { chromiumPath } from './e2e/support/chromium';

// One port shared by webServer and every worker: chosen once here, inherited through the env.
process.env.E2E_PORT ??= execFileSync(process.execPath, [
  '-e',
  "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
])
  .toString()
  .trim();
const PORT = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list'], ['github']] : 'list',
  use: {
    baseURL,
    trace: 'on-first-retry',
  },
  projects: [
    { name: 'api', testMatch: /api\/.*\.spec\.ts$/ },
    {
      name: 'chromium',
      testIgnore: /api\/.*\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], launchOptions: { executablePath: chromiumPath() } },
    },
  ],
  webServer: {
    // The Node running the tests runs the server too (CI runs the API tests on Node 20 and 24).
    command: `${JSON.stringify(process.execPath)} node_modules/next/dist/bin/next start -p ${PORT} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'pipe',
    // Every spec connects from 127.0.0.1, some with 100 streams at once: more than one person's share.
    // A fresh DATA_DIR each run: the shared server starts with no history, as the specs expect.
    env: { DATA_DIR: (process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'pulseboard-e2e-'))), NEXT_TELEMETRY_DISABLED: '1', HEARTBEAT_INTERVAL: '1s', INSTANCE: 'e2e', REDIS_URL: '', MAX_STREAMS_PER_CLIENT: '1000' },
  },
});
