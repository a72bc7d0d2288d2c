import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

/** VLAN trunks and 802.1ad through the API (docs/placement.md "VLANs"). */
let api: TestApi;
let db: Db;

beforeAll(async () => {
  api = await startApi();
  db = testDb();
  const host = await db.host.create({ data: { name: 'vlan-host', address: '192.0.2.22', credentialRef: 'file:k' } });
  await seedTopology(db, host.id, { nodes: 1, cpusPerNode: 8, vfs: 0 });
  await db.host.update({ where: { id: host.id }, data: { state: 'READY', capVmx: true, capEpt: true, capKvm: true, capVhostNet: true } });
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

const CREATE = `mutation ($input: CreateNetworkInput!) {
  createNetwork(input: $input) { name vlan vlanProtocol trunkVlans nativeVlan nativeVlanMode }
}`;
const CAPACITY = `query ($input: VmInput!) { capacity(input: $input) { total requestReasons { code detail } refusals { code hosts } } }`;
const vm = (network: string) => ({ name: 'vlan-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ network }] });

describe('network VLAN input', () => {
  it('refuses bad VLAN input with a typed error naming the field, on GraphQL and REST, and creates nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ trunkVlans: [10, 0] }, 'trunkVlans.1'],
      [{ trunkVlans: [4095] }, 'trunkVlans.0'],
      [{ trunkVlans: [10, 10] }, 'trunkVlans'],
      [{ trunkVlans: [10], vlan: 20 }, 'trunkVlans'],
      [{ nativeVlan: 5 }, 'nativeVlan'],
      [{ trunkVlans: [10], nativeVlan: 5000 }, 'nativeVlan'],
      [{ vlanProtocol: 'DOT1AD' }, 'vlanProtocol'],
    ];
    for (const [extra, field] of cases) {
      const input = { name: 'bad-vlan', kind: 'MACVTAP', ...extra };
      const g = await api.gql(CREATE, { input });
      expect({ extra, ext: g.errors?.[0].extensions }).toMatchObject({ extra, ext: { code: 'BAD_USER_INPUT', field } });
      const r = await api.rest('POST', '/api/v1/networks', input);
      expect({ extra, status: r.status, field: r.body.field }).toEqual({ extra, status: 400, field });
    }
    const enumBad = await api.gql(CREATE, { input: { name: 'bad-vlan', kind: 'MACVTAP', vlanProtocol: 'QINQ' } });
    expect(enumBad.errors?.[0].extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(await db.network.count({ where: { name: 'bad-vlan' } })).toBe(0);
  });

  it('stores a trunk (ascending) with its native VLAN, and an 802.1ad access VLAN', async () => {
    const trunk = await api.gql(CREATE, { input: { name: 'trunk-mvt', kind: 'MACVTAP', trunkVlans: [300, 20], nativeVlan: 20 } });
    expect(trunk.data).toEqual({
      createNetwork: {
        name: 'trunk-mvt',
        vlan: null,
        vlanProtocol: 'DOT1Q',
        trunkVlans: [20, 300],
        nativeVlan: 20,
        nativeVlanMode: 'UNTAGGED',
      },
    });
    const qinq = await api.rest('POST', '/api/v1/networks', {
      name: 'qinq',
      kind: 'SRIOV_PHYSNET',
      physnet: 'p0',
      vlan: 100,
      vlanProtocol: 'DOT1AD',
    });
    expect([qinq.status, qinq.body.vlanProtocol, qinq.body.trunkVlans]).toEqual([201, 'DOT1AD', []]);
  });

  it('capacity shows a trunk no datapath on the network carries as a request-level refusal', async () => {
    await api.gql(`mutation { mapNetworkToNic(input: { network: "trunk-mvt", host: "vlan-host", nic: "eno1" }) { name } }`);
    const c = await api.gql<{ capacity: { total: number; requestReasons: { code: string; detail: string }[] } }>(CAPACITY, {
      input: vm('trunk-mvt'),
    });
    expect(c.errors).toBeUndefined();
    expect(c.data?.capacity.total).toBe(0);
    expect(c.data?.capacity.requestReasons.map((r) => r.code)).toEqual(['VLAN_TRUNK_UNSUPPORTED']);
    const own = await api.gql<{ capacity: { total: number } }>(CAPACITY, {
      input: { ...vm('trunk-mvt'), interfaces: [{ network: 'trunk-mvt', vlan: 20 }] },
    });
    expect(own.data?.capacity.total).toBeGreaterThan(0);
  });
});
