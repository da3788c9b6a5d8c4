// Encrypts secrets at rest (the edrone App Secret) with AES-256-GCM. The key is
// ENCRYPTION_KEY, or derived from the Shopify app secret when none is given.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox({ encryptionKey, fallbackSecret }: { encryptionKey?: string; fallbackSecret: string }): SecretBox {
  const key = encryptionKey
    ? Buffer.from(encryptionKey, 'base64')
    : Buffer.from(hkdfSync('sha256', fallbackSecret, 'edrone-consent-sync', 'secret-box v1', 32));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !body) throw new Error('unrecognised sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
