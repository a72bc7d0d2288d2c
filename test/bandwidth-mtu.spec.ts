import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/** Network MTU and interface bandwidth through the API (docs/placement.md "Bandwidth and MTU"). */
let api: TestApi;
let db: Db;

beforeAll(async () => {
  api = await startApi();
  db = testDb();
  const host = await db.host.create({ data: { name: 'bw-host', address: '192.0.2.21', credentialRef: 'file:k' } });
  await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 8, vfs: 0 });
  await db.host.update({ where: { id: host.id }, data: { state: 'READY', capVmx: true, capEpt: true, capKvm: true, capVhostNet: true } });
  // eno1: a 1 Gb/s NIC at MTU 1500 whose driver would take 9702
  await db.nic.updateMany({ where: { hostId: host.id, name: 'eno1' }, data: { mtu: 1500, maxMtu: 9702 } });
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

const CREATE = `mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { name mtu } }`;
const UPDATE = `mutation ($input: UpdateNetworkInput!) { updateNetwork(input: $input) { name mtu } }`;
const MAP = `mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { name } }`;
const EXPLAIN = `query ($input: VmInput!) { explainPlacement(input: $input, host: "bw-host") { fits reasons { code detail } } }`;
const PREVIEW = `query ($input: VmInput!) { previewPlacement(input: $input) { fits rejection { message } plan { interfaces { nicName minBandwidthMbps maxBandwidthMbps mtu } } } }`;
const vm = (iface: Record<string, unknown>) => ({ name: 'bw-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'jumbo', ...iface }] });

describe('network MTU', () => {
  it('is created, mapped only onto NICs that take it, and changed only within what they take (field errors on GraphQL and REST)', async () => {
    expect((await api.gql(CREATE, { input: { name: 'jumbo', kind: 'MACVTAP', mtu: 9000 } })).data).toEqual({
      createNetwork: { name: 'jumbo', mtu: 9000 },
    });
    const tiny = await api.gql(CREATE, { input: { name: 'tiny', kind: 'MACVTAP', mtu: 60 } });
    expect(tiny.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mtu' });
    await db.nic.updateMany({ where: { name: 'eno1', host: { name: 'bw-host' } }, data: { maxMtu: 1500 } });
    const refused = await api.gql(MAP, { input: { network: 'jumbo', host: 'bw-host', nic: 'eno1' } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nic' });
    await db.nic.updateMany({ where: { name: 'eno1', host: { name: 'bw-host' } }, data: { maxMtu: 9702 } });
    expect((await api.gql(MAP, { input: { network: 'jumbo', host: 'bw-host', nic: 'eno1' } })).errors).toBeUndefined();
    const above = await api.gql(UPDATE, { input: { network: 'jumbo', mtu: 9800 } });
    expect(above.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mtu' });
    expect(above.errors?.[0].message).toContain('bw-host/eno1 (max 9702)');
    const rest = await api.rest('PATCH', '/api/v1/networks/jumbo', { mtu: 9800 });
    expect([rest.status, rest.body.field]).toEqual([400, 'mtu']);
    const ok = await api.rest('PATCH', '/api/v1/networks/jumbo', { mtu: 9000 });
    expect([ok.status, ok.body.mtu]).toEqual([200, 9000]);
  });

  it('placement refuses the NIC while it runs below the network MTU, and carries the MTU to the plan once it does not', async () => {
    const why = await api.gql<{ explainPlacement: { fits: boolean; reasons: { code: string; detail: string }[] } }>(EXPLAIN, {
      input: vm({}),
    });
    expect(why.data?.explainPlacement.fits).toBe(false);
    expect(why.data?.explainPlacement.reasons).toContainEqual({
      code: 'NIC_MTU_BELOW_NETWORK',
      detail: 'interface 0 (jumbo): eno1 has MTU 1500, the network 9000',
    });
    await db.nic.updateMany({ where: { name: 'eno1', host: { name: 'bw-host' } }, data: { mtu: 9000 } });
    const p = await api.gql<{ previewPlacement: { fits: boolean; plan: { interfaces: unknown[] } } }>(PREVIEW, {
      input: vm({ minBandwidthMbps: 400, maxBandwidthMbps: 800 }),
    });
    expect(p.errors).toBeUndefined();
    expect(p.data?.previewPlacement).toMatchObject({ fits: true, rejection: null });
    expect(p.data?.previewPlacement.plan.interfaces).toEqual([
      { nicName: 'eno1', minBandwidthMbps: 400, maxBandwidthMbps: 800, mtu: 9000 },
    ]);
  });
});

describe('interface bandwidth', () => {
  it('a cap below the minimum is BAD_USER_INPUT naming interfaces.0.maxBandwidthMbps; more than the NIC has is NIC_BANDWIDTH_EXHAUSTED', async () => {
    const bad = await api.gql(PREVIEW, { input: vm({ minBandwidthMbps: 500, maxBandwidthMbps: 100 }) });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interfaces.0.maxBandwidthMbps' });
    const why = await api.gql<{ explainPlacement: { reasons: { code: string }[] } }>(EXPLAIN, { input: vm({ minBandwidthMbps: 1001 }) });
    expect(why.data?.explainPlacement.reasons.map((r) => r.code)).toContain('NIC_BANDWIDTH_EXHAUSTED');
  });
});
