// Why the app refused a request to a shop's edrone sync URL, in the merchant's words, from the
// refusal's status and internal message. Only categories come out: the internal message may quote
// the request, and the payload's personal data is never stored.

export type RejectionCategory = 'signature' | 'app_id' | 'no_secret' | 'format' | 'other';

export interface MerchantRejection {
  category: RejectionCategory;
  reason: string;
}

const REASONS: Record<RejectionCategory, string> = {
  signature: 'Signature does not match: check that the App Secret in Setup is the one in edrone (Mission Control → Settings → Integration).',
  app_id: 'The request is for another edrone App ID: check the App ID in Setup.',
  no_secret: 'The App Secret is not saved in Setup, so the request could not be checked.',
  format: 'Unsupported or incomplete request: set the synchronisation format in edrone to NATIVE_5.',
  other: 'The request was refused.',
};

export function merchantRejection(httpStatus: number, message: string): MerchantRejection {
  const m = message.toLowerCase();
  let category: RejectionCategory = 'other';
  if (m.includes('app secret is not set') || m.includes('secret is not set')) category = 'no_secret';
  else if (m.includes('app_id') || m.includes('app id')) category = 'app_id';
  else if (m.includes('signature')) category = 'signature';
  else if (httpStatus === 400 || httpStatus === 413 || httpStatus === 415) category = 'format';
  else if (httpStatus === 401) category = 'signature';
  return { category, reason: REASONS[category] };
}
