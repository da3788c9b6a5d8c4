// "Storefront": what the subscription-status embed does, a button that opens the theme editor with it
// ready to enable (Shopify's activateAppId deep link), and how to mark a popup or form in a theme.
import { BlockStack, Button, Card, Text } from '@shopify/polaris';

/** The app embed's block handle: extensions/subscription-status/blocks/subscription-status.liquid. */
export const EMBED_HANDLE = 'subscription-status';

/** The store's myshopify domain: App Bridge's config, else the `shop` Shopify adds to the app's URL. */
function currentShop(): string | null {
  const fromBridge = window.shopify?.config?.shop;
  if (fromBridge) return fromBridge;
  const fromUrl = new URLSearchParams(window.location.search).get('shop');
  return fromUrl && /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(fromUrl) ? fromUrl : null;
}

function apiKey(): string | null {
  const content = document.querySelector('meta[name="shopify-api-key"]')?.getAttribute('content') ?? '';
  return content && !content.startsWith('%') ? content : null;
}

/** https://{shop}/admin/themes/current/editor?context=apps&activateAppId={api_key}/{handle} */
export function themeEditorUrl(shop: string, key: string): string {
  const params = new URLSearchParams({ context: 'apps', activateAppId: `${key}/${EMBED_HANDLE}` });
  return `https://${shop}/admin/themes/current/editor?${params.toString()}`;
}

const EXAMPLE = `<div class="newsletter-popup" data-edrone-when="unknown">…</div>
<p data-edrone-when="subscribed">Welcome back! Check your inbox for this week's deals.</p>`;

export function StorefrontGuide() {
  const shop = currentShop();
  const key = apiKey();
  const url = shop && key ? themeEditorUrl(shop, key) : null;
  return (
    <Card>
      <div data-testid="storefront-guide">
        <BlockStack gap="400">
          <Text as="p">
            Don't show a newsletter popup to people who already subscribed. The “edrone subscription status” app embed
            asks this app, on your store's own domain, whether the visitor is subscribed: a logged-in customer is
            answered from the consent this app keeps in sync, any other visitor by edrone (from edrone's cookie). If the
            answer does not come within a few seconds, the visitor counts as new and sees your form.
          </Text>
          {url ? (
            <div>
              <Button url={url} target="_blank" variant="primary">
                Open the theme editor to enable the embed
              </Button>
            </div>
          ) : (
            <Text as="p" tone="caution">
              Open this app from your Shopify admin to get a button that enables the embed. Or enable it yourself:
              Online Store → Themes → Customize → App embeds → “edrone subscription status”.
            </Text>
          )}
          <ol className="ecs-steps" aria-label="Steps to use it in your theme">
            <li>Enable the embed in the theme editor and save.</li>
            <li>
              In your theme's code, add <code>data-edrone-when="unknown"</code> to the newsletter popup or form,{' '}
              <code>data-edrone-when="subscribed"</code> to anything only subscribers should see, and{' '}
              <code>data-edrone-when="unsubscribed"</code> to anything for people who opted out.
            </li>
            <li>In the embed's settings, choose what subscribed, unsubscribed and new visitors see.</li>
          </ol>
          <pre className="ecs-snippet" aria-label="Example of marked elements">
            {EXAMPLE}
          </pre>
          <Text as="p" tone="subdued" variant="bodySm">
            Theme developers can also call <code>await window.edroneSubscription.check()</code>, which answers{' '}
            <code>{'{ identified, status, message, sms_status }'}</code>. The Status tab shows how many checks were
            answered today.
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
