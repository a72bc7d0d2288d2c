import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotCache, type Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { SnapshotWarmer } from '../apps/api/src/placement/snapshot-warmer';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/**
 * NETPIN_PLACEMENT_WARM: the API builds its placement index at start and /readyz waits for
 * it; the warm index is still checked against the fleet's generation on every placement, so
 * a host added after it was built is placed on.
 */
let api: TestApi;
let cold: TestApi;
let db: Db;
beforeAll(async () => {
  db = testDb();
  api = await startApi();
  cold = await startApi({ env: { NETPIN_PLACEMENT_WARM: 'false' } });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await cold?.close();
  await db?.$disconnect();
});

const PREVIEW = 'query ($input: VmInput!) { previewPlacement(input: $input) { fits plan { hostName } } }';

describe('placement index built at start', () => {
  it('is read once at start, and /readyz says so', async () => {
    await api.app.get(SnapshotWarmer).settled();
    expect(api.app.get(SnapshotWarmer).status).toBe('warm');
    expect(api.app.get(SnapshotCache).fullReads).toBe(1);
    const r = await api.rest('GET', '/readyz');
    expect(r).toMatchObject({ status: 200, body: { status: 'ready', placement: 'warm' } });
  });

  it('is not read at start when NETPIN_PLACEMENT_WARM is false', async () => {
    await cold.app.get(SnapshotWarmer).settled();
    expect(cold.app.get(SnapshotWarmer).status).toBe('cold');
    expect(cold.app.get(SnapshotCache).fullReads).toBe(0);
    expect((await cold.rest('GET', '/readyz')).body).toMatchObject({ placement: 'cold' });
  });

  it('places on a host added after it was built (never a stale index)', async () => {
    await api.app.get(SnapshotWarmer).settled();
    const cache = api.app.get(SnapshotCache);
    const misses = cache.misses;
    const name = `warm-late-${Date.now().toString(36)}`;
    const caps = { capKvm: true, capVmx: true, capEpt: true, capIommu: true, capVhostNet: true };
    const host = await db.host.create({ data: { name, address: '192.0.2.71', credentialRef: 'file:k', state: 'READY', ...caps } });
    await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 4, vfs: 2 });
    const net = `${name}-br`;
    expect(
      (await api.gql(`mutation { createNetwork(input: { name: "${net}", kind: LINUX_BRIDGE, bridge: "br0" }) { id } }`)).errors,
    ).toBeUndefined();
    const map = await api.gql(`mutation { mapNetworkToNic(input: { network: "${net}", host: "${name}", nic: "ens1f0" }) { id } }`);
    expect(map.errors).toBeUndefined();
    const input = { name: `${name}-vm`, vcpus: 1, memoryMiB: 512, interfaces: [{ network: net }] };
    const p = await api.gql<{ previewPlacement: { fits: boolean; plan: { hostName: string } | null } }>(PREVIEW, { input });
    expect(p.errors).toBeUndefined();
    expect(p.data!.previewPlacement).toMatchObject({ fits: true, plan: { hostName: name } });
    expect(cache.misses).toBeGreaterThan(misses);
  });
});
