// Starts the HTTP server (and the in-process worker unless WORKER=off).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config.js';
import { createContext, type AppContext } from './context.js';
import { createApp, type CreateAppOptions } from './http/create-app.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  server: Server;
  /** Immediate stop (tests): open connections are cut. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): accept nothing new, let in-flight requests answer
   * and running jobs finish, each within the grace period, then close the
   * database. A request answered 200 was committed before its answer.
   */
  shutdown(options?: { graceMs?: number }): Promise<void>;
}

/** Resolves with true when `p` settles within `ms`, false otherwise. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    void p.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startServer(
  config: AppConfig,
  options: { logger?: Logger; host?: string } & CreateAppOptions = {},
): Promise<RunningServer> {
  const ctx = await createContext(config, { logger: options.logger });
  const app = createApp(ctx, { sandboxSessionToken: options.sandboxSessionToken });
  let stopping = false;
  // While stopping, every answer closes its connection, so keep-alive clients reconnect elsewhere.
  const server = createServer((req, res) => {
    if (stopping) res.setHeader('Connection', 'close');
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host ?? config.host, () => resolve());
  });
  // Shopify reuses connections (HTTP keep-alive) for webhook deliveries.
  server.keepAliveTimeout = 65_000;
  if (config.worker.inline) ctx.worker.start();
  const { port } = server.address() as AddressInfo;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    server,
    async close() {
      stopping = true;
      server.close();
      server.closeAllConnections();
      await closed;
      await ctx.close();
    },
    async shutdown({ graceMs = config.shutdownGraceMs } = {}) {
      const deadline = Date.now() + graceMs;
      stopping = true;
      server.close(); // no new connections; idle keep-alive ones close now
      server.closeIdleConnections();
      const drained = await within(closed, deadline - Date.now());
      if (!drained) {
        ctx.logger.warn({ graceMs }, 'requests still running at the end of the grace period: closing their connections');
        server.closeAllConnections();
      }
      // Running jobs finish their slice (long ones save progress); a job cut off is retried after its lease.
      if (!(await within(ctx.worker.stop(), deadline - Date.now()))) {
        ctx.logger.warn({ graceMs }, 'jobs still running at the end of the grace period: they run again after their lease');
      }
      await ctx.db.close();
    },
  };
}
