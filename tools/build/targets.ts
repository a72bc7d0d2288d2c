/**
 * The bundles `npm run build` makes, each in dist/<name>/. A bundle holds all of its code
 * except `runtimeDeps`: packages that read files next to themselves at run time (native
 * addons, static assets, WASM); those are copied with their own dependencies into
 * dist/<name>/node_modules, so the folder runs anywhere with the same Node major and CPU
 * architecture, with nothing to install.
 */
export interface Target {
  name: 'api' | 'agent' | 'cli';
  entry: string;
  outfile: string;
  runtimeDeps: string[];
  sourcemap: boolean;
  minify: boolean;
  banner?: string;
}

/** ssh2's optional native crypto and CPU feature probe; msgpackr's native extension (BullMQ). */
const NATIVE = ['ssh2', 'cpu-features', 'msgpackr-extract'];

export const TARGETS: Record<Target['name'], Target> = {
  api: {
    name: 'api',
    entry: 'apps/api/src/main.ts',
    outfile: 'main.js',
    // swagger-ui-dist serves its files from its own folder
    runtimeDeps: [...NATIVE, 'swagger-ui-dist'],
    sourcemap: true,
    minify: false,
  },
  agent: {
    name: 'agent',
    entry: 'apps/agent/src/main.ts',
    outfile: 'main.js',
    runtimeDeps: NATIVE,
    sourcemap: true,
    minify: false,
  },
  cli: {
    name: 'cli',
    entry: 'apps/cli/src/main.ts',
    outfile: 'netpin.cjs',
    runtimeDeps: [],
    // a smaller file parses faster: the CLI is measured in milliseconds
    sourcemap: false,
    minify: true,
  },
};
