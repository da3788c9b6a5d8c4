// @vitest-environment jsdom
import '../../test/setup.js';
import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithPolaris } from '../../test/render.js';
import { StorefrontGuide, themeEditorUrl } from './storefront-guide.js';

function setApiKey(value: string | null): void {
  document.querySelector('meta[name="shopify-api-key"]')?.remove();
  if (value === null) return;
  const meta = document.createElement('meta');
  meta.name = 'shopify-api-key';
  meta.content = value;
  document.head.append(meta);
}

afterEach(() => {
  setApiKey(null);
  window.history.replaceState(null, '', '/');
});

describe('Storefront guide', () => {
  it('builds the theme editor deep link that activates the app embed', () => {
    expect(themeEditorUrl('demo.myshopify.com', 'abc123')).toBe(
      'https://demo.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=abc123%2Fsubscription-status',
    );
  });

  it('offers a button to the theme editor for this store, and explains how to mark a popup', () => {
    setApiKey('key-1');
    window.history.replaceState(null, '', '/?shop=demo.myshopify.com&host=abc');
    renderWithPolaris(<StorefrontGuide />);
    const link = screen.getByRole('link', { name: /Open the theme editor/ });
    expect(link.getAttribute('href')).toBe(themeEditorUrl('demo.myshopify.com', 'key-1'));
    expect(screen.getByTestId('storefront-guide').textContent).toContain('data-edrone-when="unknown"');
  });

  it('without a store or API key (outside the admin), it tells the merchant where to enable the embed by hand', () => {
    setApiKey('%SHOPIFY_API_KEY%');
    renderWithPolaris(<StorefrontGuide />);
    expect(screen.queryByRole('link', { name: /Open the theme editor/ })).toBeNull();
    expect(screen.getByTestId('storefront-guide').textContent).toContain('App embeds');
  });
});
