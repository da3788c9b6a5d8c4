// `npm start`: the app. Without Shopify credentials it runs the local sandbox.
import { ConfigError, describeEndpoints, loadConfig } from './config.js';
import { absoluteDatabaseUrl, removeSandboxFile, writeSandboxFile } from './sandbox-file.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.sandbox) {
    // The stand-ins never load in production: only this one dynamic import reaches them.
    const { SANDBOX_SHOP, sandboxInstructions, startSandbox } = await import('./sandbox/start-sandbox.js');
    const sandbox = await startSandbox(config);
    // `npm run sync` finds the sandbox's database and stand-ins here while it runs (app/sandbox-file.ts).
    const file = sandbox.app.ctx.config.sandboxFile;
    writeSandboxFile(file, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      databaseUrl: absoluteDatabaseUrl(sandbox.app.ctx.config.databaseUrl),
      shopifyAdminOrigin: sandbox.shopify.url,
      edroneApiUrl: sandbox.edrone.url,
      appUrl: sandbox.app.url,
      shop: SANDBOX_SHOP,
    });
    process.once('exit', () => removeSandboxFile(file));
    console.log(sandboxInstructions(sandbox));
    onShutdown(async () => {
      removeSandboxFile(file);
      await sandbox.close();
    });
    return;
  }
  const server = await startServer(config);
  server.ctx.logger.info(
    { port: config.port, url: config.shopify.appUrl, worker: config.worker.inline ? 'inline' : 'off', ...describeEndpoints(config) },
    'app listening',
  );
  onShutdown(async () => {
    server.ctx.logger.info({ graceMs: config.shutdownGraceMs }, 'stopping: finishing in-flight requests and jobs');
    await server.shutdown();
  });
}

function onShutdown(close: () => Promise<void>): void {
  const stop = () =>
    void close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
