// Shared jsdom setup for component tests: browser APIs Polaris expects, and cleanup between tests.
// Imported at the top of each *.test.tsx (vitest.config.ts is shared and has no setupFiles for web/).
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

if (typeof window !== 'undefined') {
  if (!window.matchMedia) {
    // Polaris reads breakpoints through matchMedia; jsdom has none. Report "desktop, no match".
    window.matchMedia = (query: string): MediaQueryList => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    });
  }
  window.scrollTo = () => undefined;
  if (!('ResizeObserver' in window)) {
    class NoopResizeObserver {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    }
    Object.defineProperty(window, 'ResizeObserver', { value: NoopResizeObserver, configurable: true });
  }
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  delete window.__SESSION_TOKEN__;
  delete window.shopify;
  window.history.replaceState(null, '', '/');
});
