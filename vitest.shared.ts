import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = __dirname;

/** Runs before every test file: the worker's starting environment back (tools/vitest/worker-env.ts). */
export const workerEnvSetup = resolve(root, 'tools/vitest/worker-env.ts');

/**
 * Aliases taken from tsconfig.base.json so there is one list of library paths. Longest
 * first: an alias also matches imports below it, so `@netpin/contracts` would otherwise
 * swallow `@netpin/contracts/datapaths`.
 */
function aliases(): { find: string; replacement: string }[] {
  const base = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return Object.entries(base.compilerOptions.paths)
    .sort(([a], [b]) => b.length - a.length)
    .map(([find, [target]]) => ({ find, replacement: resolve(root, target) }));
}

/**
 * graphql as Node loads it (its CommonJS build): vite would pick the package's ES module,
 * and graphql refuses schemas and types made by the other copy (@nestjs/graphql, graphql-ws
 * and Apollo, loaded by Node, use the CommonJS one).
 */
const graphqlCjs = { find: /^graphql$/, replacement: resolve(root, 'node_modules/graphql/index.js') };

/** One vitest config for every project: swc for Nest decorator metadata, shared aliases. */
export function projectConfig(projectDir: string, extra: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    root: projectDir,
    plugins: [swc.vite({ jsc: { target: 'es2022', transform: { legacyDecorator: true, decoratorMetadata: true } } })],
    resolve: { alias: [...aliases(), graphqlCjs] },
    test: {
      include: ['src/**/*.spec.ts', '**/*.spec.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      environment: 'node',
      restoreMocks: true,
      // hang guards, not speed checks: a test that talks over SSH or to Redis can take seconds
      // on a busy 2-core machine (speed lives in the benchmark scripts)
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // a worker's files share its loaded modules (about half of a unit project's CPU was
      // loading them again for every file); each file gets the worker's environment back
      isolate: false,
      setupFiles: [workerEnvSetup],
      ...extra,
    },
  });
}
