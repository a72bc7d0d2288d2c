import { projectConfig } from '../../vitest.shared';

// The embedded PostgreSQL specs run initdb and the real server (seconds each on a busy machine).
export default projectConfig(__dirname, { testTimeout: 120_000, hookTimeout: 120_000 });
