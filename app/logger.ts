import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets and tokens never reach the logs, whatever object carries them.
const REDACT = [
  '*.accessToken', '*.refreshToken', '*.edroneAppSecret', '*.apiSecret', '*.signature', '*.password',
  'req.headers.authorization', 'req.headers["x-shopify-hmac-sha256"]', 'headers.authorization',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined });
}
