// Starts the HTTP server (and the in-process worker unless WORKER=off).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config.js';
import { createContext, type AppContext } from './context.js';
import { createApp, type CreateAppOptions } from './http/create-app.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  url: string;
  ctx: AppContext;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(
  config: AppConfig,
  options: { logger?: Logger; host?: string } & CreateAppOptions = {},
): Promise<RunningServer> {
  const ctx = await createContext(config, { logger: options.logger });
  const app = createApp(ctx, { sandboxSessionToken: options.sandboxSessionToken });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, options.host ?? config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Shopify reuses connections (HTTP keep-alive) for webhook deliveries.
  server.keepAliveTimeout = 65_000;
  if (config.worker.inline) ctx.worker.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await ctx.close();
    },
  };
}
