// app/scopes_update: the merchant changed what the app may access. Below
// read/write_customers nothing can sync, so the shop's Shopify work pauses with
// a visible reason (Status, Shop.blockedReason) instead of failing job by job;
// when the scopes come back, a pause this handler set is lifted.
import { isScopesBlock, scopesBlockReason } from '../core/required-scopes.js';
import type { DataLayer, ShopRow } from '../db/index.js';
import { recordActivity } from './activity.js';

export async function handleScopesUpdate(data: Pick<DataLayer, 'shops' | 'activity'>, shop: ShopRow, granted: string[]): Promise<void> {
  const reason = scopesBlockReason(granted);
  const note = (text: string) =>
    recordActivity(data, { shopId: shop.id, origin: 'shopify', target: 'none', channel: 'none', result: 'recorded', reason: text });
  if (reason) {
    await data.shops.block(shop.id, reason);
    await note(`Access scopes changed to "${granted.join(',')}": ${reason}`);
    return;
  }
  if (isScopesBlock(shop.blockedReason)) {
    await data.shops.unblock(shop.id);
    await note(`Access scopes changed to "${granted.join(',')}": customer access is back, sync resumed.`);
  }
}
