import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

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
  test: {
    include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'jsdom',
    restoreMocks: true,
    // files share their worker's loaded modules, as in every other project (vitest.shared.ts);
    // each gets the worker's starting environment back
    isolate: false,
    setupFiles: [resolve(import.meta.dirname, '../../tools/vitest/worker-env.ts')],
  },
});
