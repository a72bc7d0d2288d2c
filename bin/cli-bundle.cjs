'use strict';
// The compiled CLI that `npx netpin` runs: dist/cli/netpin.cjs, made by `npm run build` (or
// tools/setup.sh). dist/cli/inputs.json lists the files it was made from with their
// modification times; when one changed (or is gone) the bundle is rebuilt first, about a
// second, so an edit to the sources is never missed and nothing slow loads when none was made.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..');

/** True when <root>/dist/cli was made from the files as they are now. */
function fresh(root = repoRoot) {
  try {
    const { mtimes } = JSON.parse(fs.readFileSync(path.join(root, 'dist/cli/inputs.json'), 'utf8'));
    for (const [file, mtime] of Object.entries(mtimes)) if (fs.statSync(path.join(root, file)).mtimeMs !== mtime) return false;
    return fs.existsSync(path.join(root, 'dist/cli/netpin.cjs'));
  } catch {
    return false;
  }
}

/** The path of an up-to-date CLI bundle, rebuilding it when needed. */
function ensure() {
  const bundle = path.join(repoRoot, 'dist/cli/netpin.cjs');
  if (fresh()) return bundle;
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(repoRoot, 'tools/build/main.ts'), 'cli'], {
    cwd: repoRoot,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('could not build the CLI bundle (tools/build/main.ts cli)');
  return bundle;
}

module.exports = { ensure, fresh };
