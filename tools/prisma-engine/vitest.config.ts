import { projectConfig } from '../../vitest.shared';

// Every test drives the real Prisma CLI (a few seconds per command) against its own database,
// so they run concurrently; 3 at a time keeps a 2-CPU machine responsive.
export default projectConfig(__dirname, {
  testTimeout: 180_000,
  hookTimeout: 180_000,
  maxConcurrency: 3,
});
