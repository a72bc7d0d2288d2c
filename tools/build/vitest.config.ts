import { projectConfig } from '../../vitest.shared';

// builds a real bundle (SWC + esbuild): seconds on a busy machine
export default projectConfig(__dirname, { testTimeout: 120_000 });
