// `npm start`: the app. Without Shopify credentials it runs the local sandbox.
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.sandbox) {
    // The stand-ins never load in production: only this one dynamic import reaches them.
    const { sandboxInstructions, startSandbox } = await import('./sandbox/start-sandbox.js');
    const sandbox = await startSandbox(config);
    console.log(sandboxInstructions(sandbox));
    onShutdown(() => sandbox.close());
    return;
  }
  const server = await startServer(config);
  server.ctx.logger.info({ port: config.port, url: config.shopify.appUrl, worker: config.worker.inline ? 'inline' : 'off' }, 'app listening');
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
