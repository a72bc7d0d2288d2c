import { transform } from '@swc/core';
import { build, type Metafile, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { Target } from './targets';

/**
 * One Node bundle per app with esbuild. esbuild does not emit TypeScript's decorator metadata
 * (`design:paramtypes`), which Nest's dependency injection and @nestjs/graphql's code-first
 * types read, so our own .ts files go through SWC first (the transpiler that already runs
 * them in development and in the tests), and esbuild only resolves and bundles.
 */
export const root = resolve(__dirname, '../..');

const swcPlugin: Plugin = {
  name: 'swc-decorator-metadata',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const out = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        module: { type: 'es6' },
        jsc: {
          parser: { syntax: 'typescript', decorators: true, tsx: args.path.endsWith('.tsx') },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
      });
      return { contents: out.code, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Libraries we bundle load some packages only for features we do not use (Nest's
 * microservices and validation pipes, Apollo federation, Fastify), inside try/catch or
 * behind options. Those packages are not installed: leave such requires in the bundle, to
 * fail at run time exactly as they fail unbundled, and report them. Our own imports must resolve.
 */
function notInstalledPlugin(absent: Set<string>): Plugin {
  return {
    name: 'not-installed',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (!args.importer.includes('/node_modules/') || args.path.startsWith('node:')) return undefined;
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        if (isBuiltin(name) || installed(name, args.resolveDir)) return undefined;
        absent.add(name);
        return { path: args.path, external: true };
      });
    },
  };
}

function installed(name: string, from: string): boolean {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name, 'package.json'))) return true;
    if (d === dirname(d)) return false;
  }
}

export interface BundleResult {
  outfile: string;
  bytes: number;
  /** files of this repository (not node_modules) the bundle was made from */
  inputs: string[];
  /** optional packages the bundled libraries refer to and that are not installed */
  absent: string[];
}

export async function bundle(t: Target, outDir: string): Promise<BundleResult> {
  const outfile = join(outDir, t.outfile);
  const absent = new Set<string>();
  const result = await build({
    entryPoints: [resolve(root, t.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: resolve(root, 'tsconfig.json'),
    // Nest names providers and @nestjs/graphql names types after their classes
    keepNames: true,
    sourcemap: t.sourcemap ? 'linked' : false,
    minifyWhitespace: t.minify,
    minifySyntax: t.minify,
    legalComments: 'none',
    external: t.runtimeDeps,
    loader: { '.node': 'copy' },
    banner: t.banner ? { js: t.banner } : undefined,
    metafile: true,
    logLevel: 'warning',
    plugins: [swcPlugin, notInstalledPlugin(absent)],
  });
  await asciiOnly(outfile);
  const bytes = (await stat(outfile)).size;
  return { outfile, bytes, inputs: ownInputs(result.metafile), absent: [...absent].sort() };
}

/**
 * Writes every non-ASCII character of the bundle as a \uXXXX escape. esbuild escapes them in
 * strings but keeps comments (and some regular expressions) as written; a single character
 * above U+00FF makes V8 keep the whole source, which it holds for lazy compilation, as a
 * two-byte string: twice the file's size of heap (33 MiB for the API) instead of once. In a
 * comment, a string, a regular expression or an identifier the escape means the same
 * character; the source map's columns shift on those few lines only.
 */
export async function asciiOnly(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  const wide = /[^\x00-\x7f]/g;
  if (!wide.test(text)) return;
  // after a backslash the escape would change meaning (a backslash then é is é; then \\u00e9 is six characters)
  // eslint-disable-next-line no-control-regex
  const escaped = /\\[^\x00-\x7f]/.exec(text);
  if (escaped) throw new Error(`${file}: a backslash before a non-ASCII character at ${escaped.index}; not made ASCII`);
  await writeFile(
    file,
    text.replace(wide, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

function ownInputs(meta: Metafile): string[] {
  return Object.keys(meta.inputs)
    .map((p) => resolve(root, p))
    .filter((p) => !p.includes('/node_modules/'))
    .map((p) => relative(root, p))
    .sort();
}

/**
 * What a bundle was made from, with modification times: bin/netpin.cjs compares them to
 * rebuild the CLI after an edit, without loading any build tool when nothing changed.
 */
export async function writeManifest(outDir: string, inputs: string[]): Promise<void> {
  const files = [...inputs, 'package-lock.json'];
  const mtimes: Record<string, number> = {};
  for (const f of files) mtimes[f] = (await stat(resolve(root, f))).mtimeMs;
  await writeFile(join(outDir, 'inputs.json'), JSON.stringify({ mtimes }) + '\n');
}
