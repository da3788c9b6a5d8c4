// Last middleware: every error becomes a JSON answer without internals. The
// app's own errors carry their status and answer (AppError.httpStatus and
// answer()); body-parser's errors carry a status; anything else is a bug: 500.
import type { NextFunction, Request, Response } from 'express';
import { AppError, ThrottledError } from '../errors.js';
import type { Logger } from '../logger.js';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AppError && err.httpStatus < 500) {
      if (err instanceof ThrottledError) res.setHeader('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      return res.status(err.httpStatus).json(err.answer());
    }
    if (err instanceof AppError && err.httpStatus !== 500) {
      // A remote service failed (502): the merchant reads why; the log keeps the code.
      logger.warn({ code: err.code, path: req.path }, err.message);
      return res.status(err.httpStatus).json(err.answer());
    }
    const e = (err ?? {}) as HttpishError;
    const status = e.status ?? e.statusCode ?? 500;
    if (status === 413) return res.status(413).json({ error: 'request body too large' });
    if (e.type === 'entity.parse.failed') return res.status(400).json({ error: 'body is not valid JSON' });
    if (status >= 400 && status < 500) return res.status(status).json({ error: e.message ?? 'bad request' });
    logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), path: req.path }, 'request failed');
    res.status(500).json({ error: 'Something went wrong on our side. Please try again.' });
  };
}
