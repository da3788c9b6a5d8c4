// What an /api route answers when a call to the Shopify Admin API it made failed.
import type { Response } from 'express';
import { AppError, PermanentError, RetriableError, ShopAccessError, ThrottledError } from '../errors.js';

/** Answers for the app's error family; returns false for anything else (the error handler takes it). */
export function sendShopifyError(res: Response, e: unknown): boolean {
  if (e instanceof ThrottledError) {
    res.setHeader('Retry-After', String(Math.ceil(e.retryAfterMs / 1000)));
    res.status(429).json({ error: e.merchantMessage, retryAfterMs: e.retryAfterMs });
    return true;
  }
  if (e instanceof ShopAccessError) {
    res.status(403).json({ error: e.merchantMessage });
    return true;
  }
  if (e instanceof RetriableError) {
    res.status(502).json({ error: e.merchantMessage });
    return true;
  }
  if (e instanceof PermanentError || e instanceof AppError) {
    res.status(502).json({ error: e.merchantMessage, code: e.code });
    return true;
  }
  return false;
}
