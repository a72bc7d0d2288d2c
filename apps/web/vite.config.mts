import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env['NETPIN_API_URL'] ?? 'http://127.0.0.1:3000';

// The UI only ever talks to its own origin; in dev Vite forwards /graphql (HTTP and
// the graphql-ws WebSocket) and /api to the Nest server so cookies/CORS never matter.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The generated operations and the display rules are shared with the CLI and the typed client (libs/client).
  resolve: {
    alias: {
      '@netpin/client/operations': resolve(import.meta.dirname, '../../libs/client/src/operations.ts'),
      '@netpin/client/display': resolve(import.meta.dirname, '../../libs/client/src/display.ts'),
    },
  },
  server: {
    port: 4200,
    proxy: {
      '/graphql': { target: api, changeOrigin: true, ws: true },
      '/api': { target: api, changeOrigin: true },
    },
  },
  preview: { port: 4300 },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
