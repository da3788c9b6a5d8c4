// One error family. `retriable` tells the worker whether trying again can help;
// `merchantMessage` is what the admin shows.

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly merchantMessage: string,
    readonly options: { retriable: boolean; httpStatus?: number; cause?: unknown } = { retriable: false },
  ) {
    super(merchantMessage, { cause: options.cause });
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
  get retriable(): boolean {
    return this.options.retriable;
  }
}

/** A remote service failed in a way that may pass (5xx, timeout, network). */
export class RetriableError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: true, cause });
  }
}

/** Rate-limited: wait retryAfterMs, then try again. Never counts as a failed attempt. */
export class ThrottledError extends AppError {
  constructor(
    readonly service: 'shopify' | 'edrone',
    readonly retryAfterMs: number,
  ) {
    super('throttled', `${service === 'shopify' ? 'Shopify' : 'edrone'} asked the app to slow down; it will continue shortly.`, {
      retriable: true,
    });
  }
}

/** The shop's access token no longer works (app uninstalled or access revoked): the shop's jobs wait. */
export class ShopAccessError extends AppError {
  constructor(message = 'Shopify rejected the app’s access token. Open the app in your Shopify admin to reconnect it.') {
    super('shop_access_revoked', message, { retriable: false });
  }
}

/** Input that will never work, however often it is retried. */
export class PermanentError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
  }
}

export function coerceError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
}
