import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellQuote } from '@netpin/host-ops';
import { HostModel } from './model';
import { profileSpec } from './profiles';
import { makeContext, runCommandLine } from './shell';

/**
 * hostsim's mkdir against this machine's coreutils mkdir: the same folder layout (a regular
 * file `f`, a folder `d`) in a temp folder on both, the same argv, the same exit code, stderr
 * and resulting folders.
 */
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function layout(): string {
  const root = mkdtempSync(join(tmpdir(), 'hostsim-mkdir-'));
  roots.push(root);
  writeFileSync(join(root, 'f'), 'x\n');
  mkdirSync(join(root, 'd'));
  return root;
}

function real(argv: string[]): { code: number; stderr: string } {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C' } });
  return { code: r.status ?? -1, stderr: r.stderr };
}

async function sim(root: string, argv: string[]): Promise<{ code: number; stderr: string; model: HostModel }> {
  const model = new HostModel(profileSpec('small-one-node', 'hv-mkdir'));
  for (let d = root; d !== '/'; d = join(d, '..')) model.dirs.add(d);
  model.files.set(join(root, 'f'), 'x\n');
  model.dirs.add(join(root, 'd'));
  const r = await runCommandLine(
    shellQuote(argv),
    makeContext(model, () => Promise.resolve('')),
  );
  return { code: r.code, stderr: r.stderr, model };
}

describe('mkdir (hostsim against coreutils on a temp folder)', () => {
  it.each([
    ['-p through a regular file', ['-p', '--', 'f/sub']],
    ['-p two levels below a regular file', ['-p', '--', 'f//a/b']],
    ['through a regular file', ['--', 'f/sub']],
    ['-p of a regular file', ['-p', '--', 'f']],
    ['of a regular file', ['--', 'f']],
    ['-p below a folder', ['-p', '--', 'd/x/y']],
    ['-p of a folder', ['-p', '--', 'd']],
    ['of a folder', ['--', 'd']],
    ['below a missing folder', ['--', 'm/x']],
    ['-p below a missing folder', ['-p', '--', 'm/x']],
    ['one good, one through a file', ['-p', '--', 'd/ok', 'f/no']],
  ])('%s: same exit code, message and folders', async (_name, args) => {
    const root = layout();
    const operands = args.filter((a) => !a.startsWith('-')).map((a) => `${root}/${a}`);
    const full = ['mkdir', ...args.filter((a) => a.startsWith('-')), ...operands];
    const r = real(full);
    const s = await sim(root, full);
    expect({ code: s.code, stderr: s.stderr }).toEqual(r);
    // every folder on the way: made on both or on neither
    for (const o of operands)
      for (let d = join(o); d !== root; d = join(d, '..')) expect(s.model.dirs.has(d), d).toBe(spawnSync('test', ['-d', d]).status === 0);
  });
});
