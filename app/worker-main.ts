// `npm run worker`: runs only the job worker, for deployments that scale
// workers apart from web processes (set WORKER=off on the web processes).
import { ConfigError, describeEndpoints, loadConfig } from './config.js';
import { createContext } from './context.js';

try {
  const config = loadConfig();
  const where = describeEndpoints(config);
  // Whatever LOG_LEVEL says: which database and services this worker works on (never a password).
  console.error(`worker: database ${where.database}; Shopify ${where.shopify}; edrone ${where.edrone}`);
  const ctx = await createContext(config);
  ctx.worker.start();
  ctx.logger.info({ worker: ctx.worker.id, concurrency: config.worker.concurrency, ...where }, 'worker started');
  const shutdown = async (signal: string) => {
    ctx.logger.info({ signal, graceMs: config.shutdownGraceMs }, 'worker stopping after running jobs finish');
    // Bounded: a job still running at the end of the grace period runs again after its lease.
    const timer = setTimeout(() => {
      ctx.logger.warn({ graceMs: config.shutdownGraceMs }, 'jobs still running at the end of the grace period: exiting');
      process.exit(0);
    }, config.shutdownGraceMs);
    timer.unref();
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
