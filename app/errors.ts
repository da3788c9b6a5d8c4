// One error family. `retriable` tells the worker whether trying again can help;
// `merchantMessage` is what the admin shows; `httpStatus` is what an /api
// answer says when the error ends a request (read by http/error-handler.ts).

export interface AppErrorOptions {
  retriable: boolean;
  /** The status of an /api answer that ends with this error (default 500). */
  httpStatus?: number;
  /** Extra fields of that answer, beside `error` (field errors, the run in progress...). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly merchantMessage: string,
    readonly options: AppErrorOptions = { retriable: false },
  ) {
    super(merchantMessage, { cause: options.cause });
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
  get retriable(): boolean {
    return this.options.retriable;
  }
  get httpStatus(): number {
    return this.options.httpStatus ?? 500;
  }
  /** The JSON body of an /api answer that ends with this error. */
  answer(): Record<string, unknown> {
    return { error: this.merchantMessage, ...this.options.details };
  }
}

/** The request cannot be done as asked (400): a message, and per-field messages when a form is wrong. */
export class InputError extends AppError {
  constructor(message: string, fieldErrors?: Record<string, string>) {
    super('invalid_input', message, { retriable: false, httpStatus: 400, details: fieldErrors ? { fieldErrors } : undefined });
  }
}

/** What the request names does not exist (404). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message, { retriable: false, httpStatus: 404 });
  }
}

/** The request clashes with what is going on (409), e.g. a run already in progress; details say what. */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { retriable: false, httpStatus: 409, details });
  }
}

/** A remote service failed in a way that may pass (5xx, timeout, network). */
export class RetriableError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    // A remote service's failure, seen by an /api request: a bad gateway, not our bug.
    super(code, message, { retriable: true, httpStatus: 502, cause });
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
      httpStatus: 429,
      details: { retryAfterMs },
    });
  }
}

/** The shop's access token no longer works (app uninstalled or access revoked): the shop's jobs wait. */
export class ShopAccessError extends AppError {
  constructor(message = 'Shopify rejected the app’s access token. Open the app in your Shopify admin to reconnect it.') {
    super('shop_access_revoked', message, { retriable: false, httpStatus: 403 });
  }
}

/** Input that will never work, however often it is retried. */
export class PermanentError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    // Seen by an /api request, it is a remote service's refusal: a bad gateway, with its code.
    super(code, message, { retriable: false, httpStatus: 502, details: { code }, cause });
  }
}

export function coerceError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
}
