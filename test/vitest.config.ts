import { projectConfig } from '../vitest.shared';

export default projectConfig(__dirname, {
  include: ['**/*.spec.ts'],
  globalSetup: ['./support/global-setup.ts'],
  setupFiles: ['./support/setup-env.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // integration files share one database per run; files run one after another so counts stay exact
  fileParallelism: false,
});
