// The layout is the architecture (README "How it works"): these rules fail the
// build the day a module reaches past them. Imports are read with TypeScript's
// own pre-processor, so static, re-exported and dynamic imports all count.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP = path.join(ROOT, 'app');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

interface Import {
  /** The import as written. */
  spec: string;
  /** For a relative import: the file it names, relative to the repository root (.ts). */
  target: string | null;
  dynamic: boolean;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map(({ fileName, pos }) => {
    const dynamic = /import\s*\(\s*['"`]?$/.test(source.slice(Math.max(0, pos - 30), pos));
    const target = fileName.startsWith('.') ? rel(path.resolve(path.dirname(file), fileName.replace(/\.js$/, '.ts'))) : null;
    return { spec: fileName, target, dynamic };
  });
}

const appFiles = filesUnder(APP).map((f) => ({ file: rel(f), imports: importsOf(f), text: readFileSync(f, 'utf8') }));
const production = appFiles.filter((f) => !f.file.startsWith('app/sandbox/'));
const inside = (file: string, ...dirs: string[]) => dirs.some((d) => file.startsWith(`app/${d}/`));

describe('architecture', () => {
  it('production modules never import the stand-ins; the entry point reaches the sandbox only through a dynamic import', () => {
    const violations = production.flatMap((f) =>
      f.imports
        .filter((i) => i.target?.startsWith('app/sandbox/') || /fake-(shopify|edrone)/.test(i.spec))
        .filter((i) => !(f.file === 'app/main.ts' && i.dynamic))
        .map((i) => `${f.file} imports ${i.spec}${i.dynamic ? ' (dynamic)' : ''}`),
    );
    expect(violations).toEqual([]);
    // The entry point does reach it (so this test would notice if the rule above stopped looking).
    expect(appFiles.find((f) => f.file === 'app/main.ts')!.imports.some((i) => i.dynamic && i.target === 'app/sandbox/start-sandbox.ts')).toBe(true);
  });

  it('only app/db and app/queue touch Prisma or SQL', () => {
    const prismaCall =
      /\b\w+\.(shop|job|inboundEvent|consentState|activity|session|complianceRequest|backfillRun|reconcileRun)\.(findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|createMany|update|updateMany|upsert|delete|deleteMany|count|groupBy|aggregate)\(|\$transaction|\$queryRaw|\$executeRaw|\.prisma\b/;
    const prismaModule = /(^@prisma\/|prisma\/generated|session-storage-prisma|^pg$|^better-sqlite3$)/;
    const violations = production
      .filter((f) => !inside(f.file, 'db', 'queue'))
      .flatMap((f) => [
        ...f.imports.filter((i) => prismaModule.test(i.spec) || i.target?.startsWith('prisma/')).map((i) => `${f.file} imports ${i.spec}`),
        ...f.text
          .split('\n')
          .filter((line) => prismaCall.test(line) && !/^\s*(\/\/|\*)/.test(line))
          .map((line) => `${f.file}: ${line.trim()}`),
      ]);
    expect(violations).toEqual([]);
  });

  it('each outside system is reached only through its adapter folder index.ts', () => {
    const violations = production
      .filter((f) => !f.file.startsWith('app/adapters/'))
      .flatMap((f) =>
        f.imports
          .filter((i) => i.target?.startsWith('app/adapters/') && !/^app\/adapters\/((shopify|edrone)\/)?index\.ts$/.test(i.target))
          .map((i) => `${f.file} imports ${i.spec}`),
      );
    expect(violations).toEqual([]);
  });

  it("the worker's jobs never import ingest code (each event is parsed once, at ingest)", () => {
    const jobs = production.filter((f) => /^app\/sync\/.*(-job|-jobs|worker)\.ts$/.test(f.file));
    expect(jobs.length).toBeGreaterThan(0);
    const violations = jobs.flatMap((f) => f.imports.filter((i) => /ingest/.test(i.spec)).map((i) => `${f.file} imports ${i.spec}`));
    expect(violations).toEqual([]);
  });

  it('the queue knows nothing about shops or consent', () => {
    const queue = production.filter((f) => inside(f.file, 'queue'));
    const violations = queue.flatMap((f) => [
      ...f.imports.filter((i) => i.target && !i.target.startsWith('app/queue/') && !/^app\/(core\/backoff|db\/database|errors|logger)\.ts$/.test(i.target)).map((i) => `${f.file} imports ${i.spec}`),
      ...(/\bshop\.|blockedReason|pausedUntil/.test(f.text) ? [`${f.file} reads shop state`] : []),
    ]);
    expect(violations).toEqual([]);
  });

  it('the pure core imports nothing with I/O', () => {
    const violations = production
      .filter((f) => inside(f.file, 'core'))
      .flatMap((f) => f.imports.filter((i) => (i.target ? !i.target.startsWith('app/core/') : !/^zod$|^libphonenumber-js/.test(i.spec))).map((i) => `${f.file} imports ${i.spec}`));
    expect(violations).toEqual([]);
  });

  it('no production file is over 400 lines, and every layer folder has an index.ts', () => {
    const long = production.filter((f) => f.text.split('\n').length > 400).map((f) => `${f.file}: ${f.text.split('\n').length} lines`);
    expect(long).toEqual([]);
    for (const dir of ['adapters/shopify', 'adapters/edrone', 'db', 'queue', 'sync', 'api-contract']) {
      expect(appFiles.some((f) => f.file === `app/${dir}/index.ts`), `app/${dir}/index.ts`).toBe(true);
    }
  });
});
