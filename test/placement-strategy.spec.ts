import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadApiConfig, ConfigError } from '../apps/api/src/config';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * NETPIN_PLACEMENT_STRATEGY: PACK (the default) fills the fullest host that fits, SPREAD the
 * emptiest, so concurrent creates land on different hosts (bench:provision --strategy SPREAD).
 * Two hosts carry the file's own network: a small one (4 CPUs) and a big one (8 CPUs).
 */
let pack: TestApi;
let spread: TestApi;
let db: Db;
beforeAll(async () => {
  pack = await startApi({ background: false });
  spread = await startApi({ background: false, env: { NETPIN_PLACEMENT_STRATEGY: 'SPREAD' } });
  db = testDb();
  const caps = { capKvm: true, capVmx: true, capEpt: true, capIommu: true, capVhostNet: true };
  for (const [name, cpusPerNode] of [
    ['strategy-small', 4],
    ['strategy-big', 8],
  ] as const) {
    const host = await db.host.create({ data: { name, address: '192.0.2.70', credentialRef: 'file:k', state: 'READY', ...caps } });
    await seedTopology(db, host.id, { nodes: 1, cpusPerNode, vfs: 2 });
  }
  expect(
    (await pack.gql(`mutation { createNetwork(input: { name: "strategy-br", kind: LINUX_BRIDGE, bridge: "br0" }) { id } }`)).errors,
  ).toBeUndefined();
  for (const host of ['strategy-small', 'strategy-big']) {
    const map = await pack.gql(`mutation { mapNetworkToNic(input: { network: "strategy-br", host: "${host}", nic: "ens1f0" }) { id } }`);
    expect(map.errors).toBeUndefined();
  }
}, 60_000);
afterAll(async () => {
  await pack?.close();
  await spread?.close();
  await db?.$disconnect();
});

const PREVIEW = 'query ($input: VmInput!) { previewPlacement(input: $input) { fits plan { hostName } } }';
const input = { name: 'strategy-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'strategy-br' }] };

describe('placement strategy', () => {
  it('PACK (default) picks the fuller host, SPREAD the emptier one', async () => {
    const p = await pack.gql<{ previewPlacement: { plan: { hostName: string } } }>(PREVIEW, { input });
    expect(p.errors).toBeUndefined();
    expect(p.data!.previewPlacement.plan.hostName).toBe('strategy-small');
    const s = await spread.gql<{ previewPlacement: { plan: { hostName: string } } }>(PREVIEW, { input });
    expect(s.errors).toBeUndefined();
    expect(s.data!.previewPlacement.plan.hostName).toBe('strategy-big');
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => loadApiConfig({ ...process.env, NETPIN_PLACEMENT_STRATEGY: 'RANDOM' })).toThrow(ConfigError);
    expect(() => loadApiConfig({ ...process.env, NETPIN_PLACEMENT_STRATEGY: 'RANDOM' })).toThrow(
      /NETPIN_PLACEMENT_STRATEGY: must be PACK or SPREAD/,
    );
  });
});
