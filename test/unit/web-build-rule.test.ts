// `npm start` rebuilds the admin when any of its sources is newer than web/dist/index.html
// (scripts/web-build-rule.mjs), and scripts/ensure-web-build.mjs applies that rule.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildReason, webBuildReason } from '../../scripts/web-build-rule.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('rebuildReason (pure, over mtimes)', () => {
  it('builds when the output is missing', () => {
    expect(rebuildReason(null, [])).toBe('web/dist/index.html is missing');
  });

  it('is current when every source is older than (or as old as) the build', () => {
    expect(rebuildReason(2000, [{ file: 'web/src/app.tsx', mtimeMs: 1000 }, { file: 'web/index.html', mtimeMs: 2000 }])).toBeNull();
  });

  it('names the newest changed source and how many more changed', () => {
    expect(rebuildReason(2000, [{ file: 'web/src/a.tsx', mtimeMs: 3000 }])).toBe('web/src/a.tsx changed since the last build');
    expect(
      rebuildReason(2000, [
        { file: 'web/src/a.tsx', mtimeMs: 3000 },
        { file: 'web/vite.config.ts', mtimeMs: 5000 },
        { file: 'web/src/old.tsx', mtimeMs: 1000 },
      ]),
    ).toBe('web/vite.config.ts and 1 more changed since the last build');
  });
});

describe('the rule over files, and scripts/ensure-web-build.mjs --check', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const touch = (rel: string, seconds: number) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, rel);
    utimesSync(file, seconds, seconds);
  };
  const check = () => spawnSync(process.execPath, [path.join(ROOT, 'scripts/ensure-web-build.mjs'), '--check'], { cwd: dir, encoding: 'utf8' });

  it('a file deep under web/src edited after the build makes the script rebuild; before, it does not', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'web-build-'));
    touch('web/index.html', 1_000);
    touch('web/vite.config.ts', 1_000);
    touch('web/src/components/status/status-page.tsx', 1_000);
    touch('web/dist/index.html', 2_000);
    expect(webBuildReason(dir)).toBeNull();
    expect(check()).toMatchObject({ status: 0, stdout: 'admin UI build is current\n' });

    touch('web/src/components/status/status-page.tsx', 3_000);
    expect(check()).toMatchObject({
      status: 1,
      stdout: `rebuild needed: ${path.join('web/src/components/status/status-page.tsx')} changed since the last build\n`,
    });

    rmSync(path.join(dir, 'web/dist'), { recursive: true });
    expect(check()).toMatchObject({ status: 1, stdout: 'rebuild needed: web/dist/index.html is missing\n' });
  });
});
