// The two outside systems, each behind its own folder's public surface.
export * from './shopify/index.js';
export * from './edrone/index.js';
