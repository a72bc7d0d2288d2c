import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessSet, registerFleet, startSimFleet, type ApiProcess, type SimFleet } from './support/processes';

/**
 * The agent as it is installed on a hypervisor: `npm run build`'s bundle, copied out of the
 * repository (here: built straight into a temporary folder), run with plain `node main.js`
 * from that folder, so nothing of the repository's node_modules or TypeScript is in reach.
 */
const repoRoot = resolve(__dirname, '..');
const procs = new ProcessSet();
const logs: string[] = [];
let outDir: string;
let bundle: string;
let sim: SimFleet;
let api: ApiProcess;
let metricsPort: number;

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** Every symlink in the bundle points inside it. */
function linksOutside(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(entry.parentPath, entry.name);
    if (lstatSync(p).isSymbolicLink() && !resolve(entry.parentPath, readlinkSync(p)).startsWith(dir)) out.push(p);
  }
  return out;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'netpin-built-'));
  const build = spawnSync(process.execPath, ['-r', '@swc-node/register', 'tools/build/main.ts', 'agent', '--out', outDir], {
    cwd: repoRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json') },
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  bundle = join(outDir, 'agent');
  sim = await startSimFleet({ count: 1, profile: 'small-one-node', namePrefix: 'built' });
  api = await procs.spawnApi('api-built');
  metricsPort = await freePort();
  await procs.spawnAgent('agent-built', sim.stateDir, { NETPIN_AGENT_METRICS_PORT: String(metricsPort) }, logs, bundle);
  await registerFleet(api, sim, 2);
}, 240_000);

afterAll(async () => {
  await procs.killAll();
  await sim?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the built agent', () => {
  it('is a folder of its own: the bundle, its native runtime packages, nothing that points back', () => {
    expect(existsSync(join(bundle, 'main.js'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8')) as { runtimeDeps: string[] };
    expect(pkg.runtimeDeps).toContain('node_modules/ssh2');
    expect(existsSync(join(bundle, 'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node'))).toBe(true);
    expect(linksOutside(bundle)).toEqual([]);
  });

  it('discovers a host and provisions and deletes a VM on it over SSH', async () => {
    // discovery ran through it when the fleet was registered
    expect(logs.some((l) => l.includes('job succeeded') && l.includes('host.discover'))).toBe(true);
    const created = await api.rest('POST', '/api/v1/vms', {
      name: 'built-vm',
      vcpus: 1,
      memoryMiB: 512,
      interfaces: [{ network: 'physnet0' }],
    });
    expect(created.status).toBe(202);
    expect((await api.client.waitForOperation(created.body.operation.id)).state).toBe('SUCCEEDED');
    expect(sim.fleet.hosts[0].state().domains.map((d) => [d.name, d.state])).toEqual([['built-vm', 'running']]);
    const del = await api.rest('DELETE', `/api/v1/vms/${created.body.vm.id}`);
    expect((await api.client.waitForOperation(del.body.id)).state).toBe('SUCCEEDED');
    expect(logs.some((l) => l.includes('job succeeded') && l.includes('vm.apply'))).toBe(true);
  });

  it('serves its Prometheus metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/^netpin_agent_jobs_total\{.*outcome="succeeded".*\} [1-9]/m);
  });
});
