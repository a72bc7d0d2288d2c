import { projectConfig, workerEnvSetup } from '../vitest.shared';

export default projectConfig(__dirname, {
  include: ['**/*.spec.ts'],
  globalSetup: ['./support/global-setup.ts'],
  setupFiles: [workerEnvSetup, './support/setup-env.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // each file clones its own database from the run's template (support/setup-env.ts); files run
  // one after another because they start API, agent and hostsim processes on a 2-core machine
  fileParallelism: false,
  // one worker for all files, its modules loaded once (Nest, Apollo, Prisma, ssh2: ~5 CPU-s a
  // file otherwise; isolate: false comes from vitest.shared.ts)
});
