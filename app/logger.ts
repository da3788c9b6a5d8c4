import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets and tokens never reach the logs, whatever object carries them.
const REDACT = [
  '*.accessToken', '*.refreshToken', '*.edroneAppSecret', '*.apiSecret', '*.signature', '*.password',
  'req.headers.authorization', 'req.headers["x-shopify-hmac-sha256"]', 'headers.authorization',
];

/** JSON logs on stdout, or on another file descriptor (the command line keeps stdout for its own lines). */
export function createLogger(level: string, options: { fd?: number } = {}): Logger {
  const settings = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  return options.fd === undefined ? pino(settings) : pino(settings, pino.destination(options.fd));
}
