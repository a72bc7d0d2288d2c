import { projectConfig } from '../../vitest.shared';

export default projectConfig(__dirname, { testTimeout: 60_000 });
