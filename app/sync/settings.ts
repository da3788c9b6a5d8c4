// The shop's sync settings: what the admin shows (never the secret), saving
// them (the secret sealed), and checking an edrone App ID.
import { EDRONE_SIGNATURE_VARIANTS, settingsUpdate, testConnectionRequest } from '../api-contract/index.js';
import { fieldErrors } from '../core/settings.js';
import { settingsOf, type DataLayer, type ShopRow } from '../db/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EdroneTraceClient } from '../adapters/index.js';
import { InputError } from '../errors.js';

interface SettingsDeps {
  data: Pick<DataLayer, 'shops'>;
  secretBox: SecretBox;
  /** The app's public URL: the sync URL is built from it. */
  appUrl: string;
}

export function syncUrlOf(appUrl: string, shop: Pick<ShopRow, 'syncToken'>): string {
  return `${appUrl.replace(/\/$/, '')}/edrone/sync/${shop.syncToken}`;
}

function signatureVariantOf(stored: string | null): (typeof EDRONE_SIGNATURE_VARIANTS)[number] | null {
  return EDRONE_SIGNATURE_VARIANTS.find((v) => v === stored) ?? null;
}

/** The settings as the API shows them: the secret only as "is one set". */
export function settingsView(appUrl: string, shop: ShopRow) {
  return {
    edroneAppId: shop.edroneAppId ?? '',
    edroneAppSecretSet: Boolean(shop.edroneAppSecretEnc),
    ...settingsOf(shop),
    syncUrl: syncUrlOf(appUrl, shop),
    edroneSignatureVariant: signatureVariantOf(shop.edroneSignatureVariant),
  };
}

export async function getSettings(deps: SettingsDeps, shopId: string) {
  return settingsView(deps.appUrl, await deps.data.shops.get(shopId));
}

/** Validates and stores the settings; InputError with a message per field when they are not valid. */
export async function saveSettings(deps: SettingsDeps, shopId: string, body: unknown) {
  const shop = await deps.data.shops.get(shopId);
  const parsed = settingsUpdate.safeParse(body);
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const newSecret = parsed.success ? parsed.data.edroneAppSecret : undefined;
  if (!shop.edroneAppSecretEnc && !newSecret && !errors.edroneAppSecret) {
    errors.edroneAppSecret = 'App Secret is required: copy it from edrone Mission Control, Settings > Integration';
  }
  if (!parsed.success || Object.keys(errors).length > 0) throw new InputError('Some settings are not valid.', errors);
  const s = parsed.data;
  const updated = await deps.data.shops.saveSettings(shop.id, {
    edroneAppId: s.edroneAppId,
    edroneAppSecretEnc: newSecret ? deps.secretBox.seal(newSecret) : undefined,
    settings: { direction: s.direction, edroneStatuses: s.edroneStatuses, channels: s.channels, createMissingCustomers: s.createMissingCustomers },
  });
  return settingsView(deps.appUrl, updated);
}

/** Asks edrone whether it knows the App ID given (or the saved one). */
export async function testConnection(deps: Pick<SettingsDeps, 'data'> & { edrone: EdroneTraceClient }, shopId: string, body: unknown) {
  const input = testConnectionRequest.safeParse(body ?? {});
  const shop = await deps.data.shops.get(shopId);
  const appId = (input.success ? input.data.edroneAppId : undefined) ?? shop.edroneAppId;
  if (!appId) return { ok: false as const, reason: 'Enter your edrone App ID first.' };
  return deps.edrone.checkAppId(appId);
}
