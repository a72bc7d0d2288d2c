import { projectConfig } from '../../vitest.shared';

// Real hosts share this machine's CPUs and libvirt binaries: one file at a time.
export default projectConfig(__dirname, { testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false });
