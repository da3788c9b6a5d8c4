// Entry point: Polaris styles and translations, then the app.
import '@shopify/polaris/build/esm/styles.css';
import './styles.css';
import { AppProvider } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json' with { type: 'json' };
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <AppProvider i18n={en}>
      <App />
    </AppProvider>
  </StrictMode>,
);
