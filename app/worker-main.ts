// `npm run worker`: runs only the job worker, for deployments that scale
// workers apart from web processes (set WORKER=off on the web processes).
import { ConfigError, loadConfig } from './config.js';
import { createContext } from './context.js';

try {
  const config = loadConfig();
  const ctx = await createContext(config);
  ctx.worker.start();
  ctx.logger.info({ worker: ctx.worker.id, concurrency: config.worker.concurrency }, 'worker started');
  const shutdown = async (signal: string) => {
    ctx.logger.info({ signal }, 'worker stopping after running jobs finish');
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
