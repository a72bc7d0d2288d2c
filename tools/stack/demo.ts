import type { ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { GqlClient, NetpinApiError, setupFleet, type FleetHostEntry } from '@netpin/client';
import { CreateSriovPolicyDocument } from '@netpin/client/operations';
import type { FleetEntry } from '@netpin/hostsim';

/** The demo fleet of `npm start`: simulated hypervisors of different kinds on fixed loopback ports. */
export const DEMO_PROFILES = ['dual-socket-sriov', 'dual-socket-sriov', 'small-one-node', 'legacy-no-iommu'];

export function demoFleetArgs(count: number, basePort: number, simDir: string): string[] {
  return [
    'fleet',
    '--hosts',
    String(count),
    '--profile',
    DEMO_PROFILES.join(','),
    '--state-dir',
    simDir,
    '--base-port',
    String(basePort),
    '--json',
  ];
}

/** Wait for hostsim's JSON fleet report on its stdout; fail with what it said when it exits first. */
export async function readFleetReport(proc: ChildProcess, timeoutMs = 60_000): Promise<FleetHostEntry[]> {
  let out = '';
  const entries = await new Promise<FleetEntry[]>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`hostsim did not report its fleet within ${timeoutMs / 1000} s`)), timeoutMs);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        const parsed = JSON.parse(out) as FleetEntry[];
        clearTimeout(t);
        ok(parsed);
      } catch {
        // not complete yet
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      fail(new Error(`hostsim exited (code ${code}) before reporting its fleet; its messages are above`));
    });
  });
  return entries.map((e) => ({
    name: e.hostname,
    address: e.address,
    port: e.port,
    user: e.user,
    fingerprint: e.hostKeyFingerprint,
    credentialRef: `file:${basename(e.clientKeyPath)}`,
  }));
}

export async function waitReady(url: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false))
  ) {
    if (Date.now() > until) throw new Error(`the API did not become ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Register, discover, give VFs and wire networks, as an operator would; safe to repeat. */
export async function registerDemoFleet(url: string, fleet: FleetHostEntry[], token: string, log: (msg: string) => void): Promise<void> {
  const client = new GqlClient(url, token);
  await setupFleet(client, fleet, { log });
  // keep the demo's VF pools as a policy, so the SR-IOV policies page has something to show
  await client.typed.request(CreateSriovPolicyDocument, { input: { name: 'demo-vf-pool', numVfs: 8, priority: 0 } }).catch((e: unknown) => {
    if (!(e instanceof NetpinApiError && e.code === 'CONFLICT')) throw e;
  });
}
