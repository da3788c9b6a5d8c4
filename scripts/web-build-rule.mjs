// When `npm start` must build the admin UI: web/dist/index.html is missing, or a source of the
// build (anything under web/src, web/index.html, web/vite.config.ts) changed after it was built.
// Plain JavaScript: `npm start` runs it with node before anything is compiled.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The inputs of the admin build, relative to the repository root. */
export const WEB_SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts'];
export const WEB_OUTPUT = 'web/dist/index.html';

/**
 * Pure: `builtMs` is the build output's mtime (null when missing), `sources` the inputs' mtimes.
 * Answers why a build is needed, or null when the build is current.
 */
export function rebuildReason(builtMs, sources) {
  if (builtMs === null) return `${WEB_OUTPUT} is missing`;
  const newer = sources.filter((s) => s.mtimeMs > builtMs).sort((a, b) => b.mtimeMs - a.mtimeMs);
  if (newer.length === 0) return null;
  const more = newer.length > 1 ? ` and ${newer.length - 1} more` : '';
  return `${newer[0].file}${more} changed since the last build`;
}

/** Every file of the inputs under `root`, with its mtime. */
export function sourceTimes(root) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    const st = statSync(abs);
    if (!st.isDirectory()) {
      out.push({ file: rel, mtimeMs: st.mtimeMs });
      return;
    }
    for (const name of readdirSync(abs)) walk(path.join(rel, name));
  };
  for (const s of WEB_SOURCES) walk(s);
  return out;
}

/** The rule applied to the files under `root`. */
export function webBuildReason(root) {
  const built = path.join(root, WEB_OUTPUT);
  return rebuildReason(existsSync(built) ? statSync(built).mtimeMs : null, sourceTimes(root));
}
