// `npm start` serves web/dist: build the admin UI first when it is missing or older than its sources
// (after a pull or an edit, a stale admin would be served otherwise). `--check`: only say whether a
// build is needed (exit 0: current, 1: needed), without building.
import { execSync } from 'node:child_process';
import { webBuildReason } from './web-build-rule.mjs';

const reason = webBuildReason(process.cwd());
if (process.argv.includes('--check')) {
  console.log(reason ? `rebuild needed: ${reason}` : 'admin UI build is current');
  process.exit(reason ? 1 : 0);
}
if (reason) {
  console.log(`Building the admin UI (${reason})...`);
  execSync('npx vite build --config web/vite.config.ts --logLevel warn', { stdio: 'inherit' });
}
