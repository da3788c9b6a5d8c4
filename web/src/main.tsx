// Entry point: Polaris styles, then the app inside its providers (Polaris, toast, unsaved-changes guard).
import '@shopify/polaris/build/esm/styles.css';
import './styles.css';
import './feedback.css';
import './setup-guide.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { AppProviders } from './app-providers.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <AppProviders>
      <App />
    </AppProviders>
  </StrictMode>,
);
