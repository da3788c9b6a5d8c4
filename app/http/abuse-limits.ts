// Abuse limits: rejected requests (any 4xx) are counted per client address and
// per edrone sync URL, and past the limit the caller gets 429 for the rest of
// the minute. Accepted requests never count, so real traffic is not slowed.
// In memory, per process (express-rate-limit's default store).
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { AppConfig } from '../config.js';

const WINDOW_MS = 60_000;

function limiter(limit: number, key: (req: Request) => string, what: string): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    // Our own setting decides about proxies (TRUST_PROXY); the library need not warn about it.
    validate: { trustProxy: false, xForwardedForHeader: false },
    handler: (_req, res) => void res.status(429).json({ error: `Too many rejected requests from ${what}. Wait a minute and try again.` }),
  });
}

/** Per client address: every inbound surface. */
export function rejectedPerClient(config: AppConfig): RequestHandler {
  return limiter(config.limits.rejectedPerClient, (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`, 'this address');
}

/** Per sync URL: the edrone route only (its token is the key, whoever calls). */
export function rejectedPerSyncUrl(config: AppConfig): RequestHandler {
  return limiter(config.limits.rejectedPerSyncUrl, (req) => `sync:${String(req.params.syncToken ?? '').slice(0, 64)}`, 'this sync URL');
}
