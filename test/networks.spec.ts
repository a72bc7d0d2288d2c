import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startApi, type TestApi } from './support/api';
import { seedTopology, testDb } from './support/seed';

let api: TestApi;
let db: Db;

beforeAll(async () => {
  api = await startApi();
  db = testDb();
  const host = await db.host.create({ data: { name: 'net-host', address: '192.0.2.20', credentialRef: 'file:k' } });
  await seedTopology(db, host.id, { nodes: 2, cpusPerNode: 2, vfs: 4 });
});
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

const CREATE = `mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id name kind bridge vlan physnet mappings { hostName nicName } } }`;
const MAP = `mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { name mappings { hostName nicName } } }`;

describe('networks', () => {
  it('creates networks of every kind and lists them over GraphQL and REST', async () => {
    const inputs = [
      { name: 'br-tenant', kind: 'LINUX_BRIDGE', bridge: 'br0', vlan: 100 },
      { name: 'ovs-tenant', kind: 'OVS_BRIDGE', bridge: 'ovsbr0' },
      { name: 'mvt', kind: 'MACVTAP', macvtapMode: 'bridge' },
      { name: 'physnet1', kind: 'SRIOV_PHYSNET', physnet: 'physnet1', vlan: 200 },
    ];
    for (const input of inputs) {
      const r = await api.gql(CREATE, { input });
      expect(r.errors).toBeUndefined();
    }
    const g = await api.gql<{ networks: { name: string }[] }>(`{ networks { name kind } }`);
    const mine = new Set(inputs.map((i) => i.name));
    expect(g.data?.networks.map((n) => n.name).filter((n) => mine.has(n))).toEqual(['br-tenant', 'mvt', 'ovs-tenant', 'physnet1']);
    const r = await api.rest('GET', '/api/v1/networks/physnet1');
    expect(r.body).toMatchObject({ kind: 'SRIOV_PHYSNET', vlan: 200 });
  });

  it.each([
    ['bridge', { name: 'nobr', kind: 'LINUX_BRIDGE' }],
    ['bridge', { name: 'inj', kind: 'LINUX_BRIDGE', bridge: 'br0;reboot' }],
    ['bridge', { name: 'long', kind: 'OVS_BRIDGE', bridge: 'a-very-long-bridge-name' }],
    ['vlan', { name: 'vl', kind: 'LINUX_BRIDGE', bridge: 'br0', vlan: 4095 }],
    ['physnet', { name: 'pn', kind: 'SRIOV_PHYSNET' }],
    ['name', { name: '../etc', kind: 'MACVTAP' }],
  ])('rejects bad %s with BAD_USER_INPUT and writes nothing', async (field, input) => {
    const before = await db.network.count();
    const g = await api.gql(CREATE, { input });
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const r = await api.rest('POST', '/api/v1/networks', input);
    expect(r.status).toBe(400);
    expect(r.body.field).toBe(field);
    expect(await db.network.count()).toBe(before);
  });

  it('lists the datapath registry, fastest first, the same over GraphQL and REST', async () => {
    const g = await api.gql<{
      datapaths: { datapath: string; rank: number; auto: boolean; cliAliases: string[]; networkKinds: string[] }[];
    }>(`{ datapaths { datapath rank auto label help cliAliases networkKinds guestNeeds hostCapabilities liveMigration } }`);
    expect(g.errors).toBeUndefined();
    const list = g.data!.datapaths;
    expect(list[0]).toMatchObject({
      datapath: 'SRIOV',
      networkKinds: ['SRIOV_PHYSNET'],
      guestNeeds: ['vfDriver'],
      liveMigration: 'FAILOVER',
    });
    expect(list.map((d) => d.rank)).toEqual([...list.map((d) => d.rank)].sort((a, b) => b - a));
    expect(list.find((d) => d.datapath === 'RTL8139')?.auto).toBe(false);
    expect(list.find((d) => d.datapath === 'VHOST_BRIDGE')?.cliAliases).toContain('bridge');
    const r = await api.rest('GET', '/api/v1/datapaths');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(list.map((d) => expect.objectContaining(d)));
  });

  it('refuses a duplicate name with CONFLICT', async () => {
    const g = await api.gql(CREATE, { input: { name: 'mvt', kind: 'MACVTAP' } });
    expect(g.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('maps networks to NICs, checks SR-IOV capability and refuses duplicates', async () => {
    const ok = await api.gql<{ mapNetworkToNic: { mappings: { hostName: string; nicName: string }[] } }>(MAP, {
      input: { network: 'physnet1', host: 'net-host', nic: 'ens1f0' },
    });
    expect(ok.data?.mapNetworkToNic.mappings).toEqual([{ hostName: 'net-host', nicName: 'ens1f0' }]);
    const dup = await api.gql(MAP, { input: { network: 'physnet1', host: 'net-host', nic: 'ens1f0' } });
    expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
    const notPf = await api.gql(MAP, { input: { network: 'physnet1', host: 'net-host', nic: 'eno1' } });
    expect(notPf.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nic' });
    const missing = await api.rest('POST', '/api/v1/networks/br-tenant/mappings', { host: 'net-host', nic: 'ens9f9' });
    expect(missing.status).toBe(404);
    const rest = await api.rest('POST', '/api/v1/networks/br-tenant/mappings', { host: 'net-host', nic: 'eno1' });
    expect(rest.status).toBe(201);
    const filtered = await api.gql<{ hosts: { nodes: { name: string }[] } }>(
      `{ hosts(filter: { network: "br-tenant" }) { nodes { name } } }`,
    );
    expect(filtered.data?.hosts.nodes.map((h) => h.name)).toEqual(['net-host']);
    const un = await api.rest('DELETE', '/api/v1/networks/br-tenant/mappings/net-host/eno1');
    expect(un.status).toBe(200);
    expect(un.body.mappings).toEqual([]);
  });

  it('refuses a bridge no discovered host has (field bridge), and a mapping to a host without the bridge (field host)', async () => {
    // net-host's bridges are unknown (never discovered): br-tenant (br0) maps there, as above
    const bridged = await db.host.create({
      data: { name: 'net-host-br', address: '192.0.2.21', credentialRef: 'file:k', bridges: [{ name: 'br1', kind: 'LINUX' }] },
    });
    await seedTopology(db, bridged.id, { nodes: 1, cpusPerNode: 2, vfs: 0 });
    const before = await db.network.count();
    for (const input of [
      { name: 'br-nowhere', kind: 'LINUX_BRIDGE', bridge: 'br9' },
      { name: 'ovs-as-linux', kind: 'OVS_BRIDGE', bridge: 'br1' },
    ]) {
      const g = await api.gql(CREATE, { input });
      expect(g.errors?.[0].extensions, input.name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bridge' });
      expect(g.errors?.[0].message).toMatch(/no discovered host has an? (Linux|OVS) bridge br[19]/);
      const r = await api.rest('POST', '/api/v1/networks', input);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe('bridge');
    }
    expect(await db.network.count()).toBe(before);
    expect((await api.gql(CREATE, { input: { name: 'br-one', kind: 'LINUX_BRIDGE', bridge: 'br1' } })).errors).toBeUndefined();

    const nic = await db.nic.findFirstOrThrow({ where: { hostId: bridged.id } });
    const g = await api.gql(MAP, { input: { network: 'br-tenant', host: 'net-host-br', nic: nic.name } });
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'host' });
    expect(g.errors?.[0].message).toMatch(/net-host-br has no Linux bridge br0/);
    const ok = await api.gql(MAP, { input: { network: 'br-one', host: 'net-host-br', nic: nic.name } });
    expect(ok.errors).toBeUndefined();
  });

  it('refuses to delete a network in use, then deletes it when free', async () => {
    const net = await db.network.findUniqueOrThrow({ where: { name: 'physnet1' } });
    const vm = await db.vm.create({
      data: {
        name: 'g',
        state: 'RUNNING',
        vcpus: 1,
        memoryMiB: 512,
        request: {},
        interfaces: { create: [{ index: 0, networkId: net.id }] },
      },
    });
    const g = await api.gql(`mutation ($id: ID!) { deleteNetwork(id: $id) { id } }`, { id: net.id });
    expect(g.errors?.[0].extensions?.code).toBe('CONFLICT');
    await db.vm.update({ where: { id: vm.id }, data: { state: 'DELETED' } });
    const ok = await api.rest('DELETE', `/api/v1/networks/${net.id}`);
    expect(ok.status).toBe(200);
    expect((await api.rest('GET', '/api/v1/networks/physnet1')).status).toBe(404);
  });
});
