// `npm start` serves web/dist: build the admin UI first when it is missing.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

if (!existsSync('web/dist/index.html')) {
  console.log('Building the admin UI (first start)...');
  execSync('npx vite build --config web/vite.config.ts --logLevel warn', { stdio: 'inherit' });
}
