import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as it would be published: tsconfig.lib.json compiled into a temp copy of the
 * package, then imported through its package.json exports by CommonJS and ESM consumers.
 */
const libRoot = resolve(__dirname, '..');
const repoRoot = resolve(libRoot, '../..');
let tmp: string;
let pkg: string;
let consumer: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'netpin-client-build-'));
  pkg = join(tmp, 'pkg');
  consumer = join(tmp, 'consumer');
  mkdirSync(pkg);
  copyFileSync(join(libRoot, 'package.json'), join(pkg, 'package.json'));
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(libRoot, 'tsconfig.lib.json'), '--outDir', join(pkg, 'dist')],
    { cwd: repoRoot, stdio: 'pipe' },
  );
  // dependencies resolve from the repo's node_modules, the package from the consumer's
  symlinkSync(join(repoRoot, 'node_modules'), join(tmp, 'node_modules'), 'dir');
  mkdirSync(join(consumer, 'node_modules/@netpin'), { recursive: true });
  symlinkSync(pkg, join(consumer, 'node_modules/@netpin/client'), 'dir');
}, 60_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function run(file: string, source: string): unknown {
  writeFileSync(join(consumer, file), source);
  return JSON.parse(execFileSync(process.execPath, [join(consumer, file)], { cwd: consumer, encoding: 'utf8' }));
}

describe('published build of @netpin/client', () => {
  it('emits JavaScript and declarations for every entry point the package exports', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string } | string>;
    };
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === 'string' ? [target] : [target.types, target.default])
        expect(existsSync(join(pkg, file)), file).toBe(true);
    }
    const dts = readFileSync(join(pkg, 'dist/netpin-client.d.ts'), 'utf8');
    expect(dts).toContain('waitForOperation(id: string, opts?: WaitOptions): Promise<Operation>');
    expect(dts).toContain('createVm(input: VmInput');
  });

  it('loads from CommonJS with the client, errors and documents', () => {
    const out = run(
      'cjs.cjs',
      `const c = require('@netpin/client'); const ops = require('@netpin/client/operations');
       const client = new c.NetpinClient({ url: 'http://127.0.0.1:1' });
       const e = new c.NetpinApiError('x', { code: 'BAD_USER_INPUT', field: 'vcpus', status: 400 });
       console.log(JSON.stringify({ endpoint: client.endpoint, fns: ['registerHost','discoverHost','listHosts','getHost','networks','createVm','deleteVm','getVm','previewPlacement','explainPlacement','capacity','operation','waitForOperation'].filter((f) => typeof client[f] === 'function').length,
         err: e instanceof c.NetpinError && e.field, failed: typeof c.OperationFailedError, doc: String(ops.CreateVmDocument).includes('mutation CreateVm') }));`,
    );
    expect(out).toEqual({ endpoint: 'http://127.0.0.1:1/graphql', fns: 13, err: 'vcpus', failed: 'function', doc: true });
  });

  it('loads from an ES module with named exports', () => {
    const out = run(
      'esm.mjs',
      `import { NetpinClient, OperationTimeoutError } from '@netpin/client'; import { OperationUpdatedDocument } from '@netpin/client/operations';
       console.log(JSON.stringify({ client: typeof NetpinClient, timeout: new OperationTimeoutError('op', 5, undefined).code, sub: String(OperationUpdatedDocument).includes('subscription OperationUpdated') }));`,
    );
    expect(out).toEqual({ client: 'function', timeout: 'TIMEOUT', sub: true });
  });
});
