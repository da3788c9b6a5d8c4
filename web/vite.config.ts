// Builds the embedded admin UI into web/dist, which the server serves at "/".
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  // Only VITE_* variables reach the bundle; %SHOPIFY_API_KEY% in index.html stays literal for the server.
  envPrefix: 'VITE_',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Polaris is large; one chunk is fine for an admin page loaded once per session.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // Local development against `npm start` (default port 3000).
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
