// Encrypts secrets at rest (the edrone App Secret, Shopify access and refresh
// tokens) with AES-256-GCM. The key is ENCRYPTION_KEY, or derived from the
// Shopify app secret when none is given. `aad` (associated data, e.g. the
// shop) ties a ciphertext to its row: moved to another shop's row it fails to open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string, aad?: string): string;
  open(sealed: string, aad?: string): string;
}

/** True for the text `seal` produces (and never for a Shopify token, which starts with shp…). */
export function isSealed(value: string): boolean {
  return value.startsWith('v1.') && value.split('.').length === 4;
}

export function createSecretBox({ encryptionKey, fallbackSecret }: { encryptionKey?: string; fallbackSecret: string }): SecretBox {
  const key = encryptionKey
    ? Buffer.from(encryptionKey, 'base64')
    : Buffer.from(hkdfSync('sha256', fallbackSecret, 'edrone-consent-sync', 'secret-box v1', 32));
  return {
    seal(plain, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open(sealed, aad) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !body) throw new Error('unrecognised sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
