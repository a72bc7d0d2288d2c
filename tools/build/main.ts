import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundle, root, writeManifest } from './bundle';
import { copyRuntimeDeps } from './runtime-deps';
import { TARGETS, type Target } from './targets';

/**
 * `npm run build [-- api agent cli] [--out <dir>]`: runnable bundles in dist/<name>/ (tools/build/targets.ts).
 * dist/api also carries the built web UI; dist/cli is what bin/netpin.cjs runs.
 */
async function buildTarget(t: Target, distDir: string): Promise<void> {
  const started = Date.now();
  const outDir = resolve(distDir, t.name);
  // built aside and moved in place, so a `netpin` started meanwhile never loads half a bundle
  const work = `${outDir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const result = await bundle(t, work);
  const deps = copyRuntimeDeps(root, t.runtimeDeps, work);
  if (t.name === 'api') copyWebUi(work);
  const pkg = {
    name: `netpin-${t.name}`,
    private: true,
    main: t.outfile,
    engines: { node: '>=20.18' },
    runtimeDeps: deps,
    notInstalled: result.absent,
  };
  writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  await writeManifest(work, result.inputs);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(work, outDir);
  const kib = Math.round(result.bytes / 1024);
  process.stdout.write(
    `build: ${outDir}/${t.outfile} ${kib} KiB from ${result.inputs.length} files, ${deps.length} runtime packages, ${Date.now() - started} ms\n`,
  );
}

/** The API serves the web UI from `web/` next to its bundle. */
function copyWebUi(outDir: string): void {
  const web = resolve(root, 'apps/web');
  if (process.env.NETPIN_SKIP_WEB_BUILD !== '1') {
    const r = spawnSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: web,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('the web UI build failed');
  }
  if (existsSync(join(web, 'dist/index.html'))) cpSync(join(web, 'dist'), join(outDir, 'web'), { recursive: true });
  else process.stdout.write('build: no web UI in apps/web/dist; dist/api serves the API only\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  // --out <dir>: somewhere else than dist/ (the tests build a bundle outside the repository)
  const distDir = outAt >= 0 ? resolve(args[outAt + 1] ?? '') : resolve(root, 'dist');
  const names = args.filter((a, i) => !a.startsWith('-') && (outAt < 0 || i !== outAt + 1));
  const unknown = names.filter((n) => !(n in TARGETS));
  if (unknown.length) throw new Error(`unknown bundle ${unknown.join(', ')}; known: ${Object.keys(TARGETS).join(', ')}`);
  const chosen = names.length ? names.map((n) => TARGETS[n as Target['name']]) : Object.values(TARGETS);
  for (const t of chosen) await buildTarget(t, distDir);
}

main().catch((e: unknown) => {
  process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
