import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '../..');
// bin/ is plain CommonJS, run by node without a build step
// eslint-disable-next-line @nx/enforce-module-boundaries
const { fresh } = require('../../bin/cli-bundle.cjs') as { fresh: (root: string) => boolean };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the CLI bundle', () => {
  it('runs from a folder outside the repository and lists what it was made from', () => {
    const out = mkdtempSync(join(tmpdir(), 'netpin-cli-build-'));
    dirs.push(out);
    const build = spawnSync(process.execPath, ['-r', '@swc-node/register', 'tools/build/main.ts', 'cli', '--out', out], {
      cwd: repoRoot,
      env: { ...process.env, SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json') },
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    const help = spawnSync(process.execPath, [join(out, 'cli/netpin.cjs'), '--help'], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: netpin <command> [options]');
    const { mtimes } = JSON.parse(readFileSync(join(out, 'cli/inputs.json'), 'utf8')) as { mtimes: Record<string, number> };
    expect(Object.keys(mtimes)).toEqual(expect.arrayContaining(['apps/cli/src/main.ts', 'libs/client/src/index.ts', 'package-lock.json']));
    expect(Object.keys(mtimes).filter((f) => f.includes('node_modules'))).toEqual([]);
  });

  it('counts as stale once a file it was made from changes or goes away', () => {
    const root = mkdtempSync(join(tmpdir(), 'netpin-fresh-'));
    dirs.push(root);
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(join(root, 'a.ts'), 'export {};\n');
    writeFileSync(join(root, 'dist/cli/netpin.cjs'), '');
    const manifest = (): void =>
      writeFileSync(join(root, 'dist/cli/inputs.json'), JSON.stringify({ mtimes: { 'a.ts': statSync(join(root, 'a.ts')).mtimeMs } }));
    manifest();
    expect(fresh(root)).toBe(true);
    utimesSync(join(root, 'a.ts'), new Date(), new Date(Date.now() + 5000));
    expect(fresh(root)).toBe(false);
    manifest();
    expect(fresh(root)).toBe(true);
    rmSync(join(root, 'a.ts'));
    expect(fresh(root)).toBe(false);
  });
});
