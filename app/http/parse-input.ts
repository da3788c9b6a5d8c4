// Route input: a zod schema's result, or a 400 naming each bad field.
import type { z } from 'zod';
import { InputError } from '../errors.js';

/** Parses a query string or body; InputError (400) with a message per field when it does not fit. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, message = 'Invalid query.'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InputError(message, Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])));
}
