// Every hostile-input benchmark, against the same builds side by side:
//
//   npm run bench:hostile -- --dir /path/to/older/checkout --dir .
//
// A checkout to compare with needs a production build of its own, e.g. the code before the
// hardening: `git worktree add /tmp/pb-before 9028336 && cd /tmp/pb-before && npm ci && npm run build`.
// Runs bench/hostile-{gate,filter,ingest,streams,meta}.mjs one after the other (each bounded, loopback
// only) and prints their tables; a few minutes with an older build, whose stalls are waited out.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
let failed = 0;
for (const part of ['gate', 'filter', 'ingest', 'streams', 'meta']) {
  console.log(`\n## bench/hostile-${part}.mjs`);
  const run = spawnSync(process.execPath, [`bench/hostile-${part}.mjs`, ...args], { stdio: 'inherit', timeout: 20 * 60_000 });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
