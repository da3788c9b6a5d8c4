// PostgreSQL text cannot hold U+0000, and no real request needs it: a NUL in
// the URL, the query or a JSON body is refused with 400 before any route or
// query sees it (otherwise the database answers an error, and the app a 500).
import type { NextFunction, Request, Response } from 'express';

const NUL_IN_URL = /%00|\u0000/i;

/** True when any string (or key) in a parsed JSON value holds U+0000. Depth-bounded. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(inner, depth + 1)) return true;
  }
  return false;
}

const answer = (res: Response) => void res.status(400).json({ error: 'The request contains a NUL character (%00), which is never valid here.' });

/** Before the routes: the URL (path and query). */
export function rejectNulInUrl() {
  return (req: Request, res: Response, next: NextFunction) => (NUL_IN_URL.test(req.url) ? answer(res) : next());
}

/** After a body parser: the parsed body (JSON) or the raw text. */
export function rejectNulInBody() {
  return (req: Request, res: Response, next: NextFunction) => (containsNul(req.body) ? answer(res) : next());
}
