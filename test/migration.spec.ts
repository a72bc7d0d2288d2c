import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { vfClaimsKey } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import type { SimHost } from '@netpin/hostsim';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/** migrateVm / previewMigration through the API, the real agent and hostsim over SSH (issue 14). */
let c: Cluster;
let db: Db;
let redis: Redis;

interface VmOut {
  id: string;
  state: string;
  hostId: string | null;
  errorCode: string | null;
  interfaces: { mac: string; datapath: string }[];
  plan: { hostName: string; numaNodes: number[]; interfaces: { nicName: string; vfIndex: number | null; datapath: string }[] } | null;
}
interface OpOut {
  id: string;
  kind: string;
  state: string;
  errorCode: string | null;
  errorMessage: string | null;
  errorStderr: string | null;
  steps: { name: string; state: string }[];
  resultJson: string | null;
}

const VM = `query ($id: ID!) { vm(id: $id) { id state hostId errorCode interfaces { mac datapath } plan { hostName numaNodes interfaces { nicName vfIndex datapath } } } }`;
const OP = `query ($id: ID!) { operation(id: $id) { id kind state errorCode errorMessage errorStderr steps { name state } resultJson } }`;
const getVm = async (id: string) => (await c.client.request<{ vm: VmOut }>(VM, { id })).vm;
const sim = (name: string): SimHost => c.fleet.hosts.find((h) => h.hostname === name)!;

async function finished(opId: string): Promise<OpOut> {
  await c.client.waitForOperation(opId, 90_000);
  return (await c.client.request<{ operation: OpOut }>(OP, { id: opId })).operation;
}

async function create(name: string, host: string, iface: Record<string, unknown>): Promise<string> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
    `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
    { input: { name, vcpus: 2, memoryMiB: 1024, pinHost: host, interfaces: [iface] } },
  );
  expect((await finished(r.createVm.operation.id)).state).toBe('SUCCEEDED');
  return r.createVm.vm.id;
}

async function migrate(id: string, input: Record<string, unknown>): Promise<OpOut> {
  const r = await c.client.request<{ migrateVm: { id: string } }>(
    `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
    {
      id,
      input,
    },
  );
  return finished(r.migrateVm.id);
}

/** What netpin holds for a VM: allocation rows per host, active migrations, Redis VF claims per host. */
async function holdings(vmId: string) {
  const cpus = await db.cpuAllocation.findMany({ where: { vmId }, include: { host: { select: { name: true } } } });
  const vfs = await db.vfAllocation.findMany({ where: { vmId }, include: { vf: { include: { nic: { include: { host: true } } } } } });
  const claims: Record<string, number> = {};
  for (const h of await db.host.findMany()) {
    const all = await redis.hgetall(vfClaimsKey(process.env.NETPIN_QUEUE_PREFIX ?? 'netpin', h.id));
    const mine = Object.values(all).filter((v) => v === vmId).length;
    if (mine) claims[h.name] = mine;
  }
  const byHost = (names: string[]) => names.reduce<Record<string, number>>((a, n) => ({ ...a, [n]: (a[n] ?? 0) + 1 }), {});
  return {
    cpus: byHost(cpus.map((x) => x.host.name)),
    vfs: byHost(vfs.map((x) => x.vf.nic.host.name)),
    pending: cpus.filter((x) => x.migrationId !== null).length + vfs.filter((x) => x.migrationId !== null).length,
    migrations: await db.vmMigration.count({ where: { vmId, active: true } }),
    claims,
  };
}

const domainOn = (host: string, name: string) =>
  sim(host)
    .state()
    .domains.find((d) => d.name === name);
const vfOf = (host: string, nic: string, index: number) =>
  sim(host)
    .state()
    .nics.find((n) => n.name === nic)?.vfs[index];

beforeAll(async () => {
  db = testDb();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  c = await startCluster({ profiles: ['dual-socket-sriov', 'dual-socket-sriov'], namePrefix: 'mig' });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
  redis?.disconnect();
});

describe('COLD migration of an SR-IOV VM without a failover partner', () => {
  let vmId: string;
  let before: VmOut;

  beforeAll(async () => {
    vmId = await create('mg-cold', 'mig-01', { network: 'physnet0', vlan: 120 });
    before = await getVm(vmId);
  });

  it('refuses LIVE with the datapath reason code, changing nothing', async () => {
    const r = await c.api.gql(`mutation ($id: ID!) { migrateVm(id: $id) { id } }`, { id: vmId });
    expect(r.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(r.errors?.[0].message).toMatch(/failover/);
    const rest = await c.api.rest('POST', `/api/v1/vms/${vmId}/migrate`, { strategy: 'LIVE' });
    expect(rest.status).toBe(409);
    expect(await getVm(vmId)).toEqual(before);
  });

  it('previews where it would go and why, reserving nothing', async () => {
    const q = `query ($id: ID!, $input: MigrateVmInput) { previewMigration(vmId: $id, input: $input) { possible strategy sourceHost { name } targetHost { name } plan { hostName interfaces { datapath nicName } } refusals { code interfaceIndex } steps } }`;
    const live = (await c.client.request<{ previewMigration: Record<string, unknown> }>(q, { id: vmId })).previewMigration;
    expect(live).toMatchObject({ possible: false, strategy: 'LIVE', refusals: [{ code: 'VF_WITHOUT_FAILOVER', interfaceIndex: 0 }] });
    const cold = (await c.client.request<{ previewMigration: Record<string, unknown> }>(q, { id: vmId, input: { strategy: 'COLD' } }))
      .previewMigration;
    expect(cold).toMatchObject({
      possible: true,
      sourceHost: { name: 'mig-01' },
      targetHost: { name: 'mig-02' },
      refusals: [],
      steps: ['reserve', 'stop', 'transfer', 'start', 'verify', 'release'],
    });
    expect(await holdings(vmId)).toMatchObject({ pending: 0, migrations: 0 });
  });

  it('stops, moves and starts it on the other host with the same MAC and VLAN; the source gets everything back', async () => {
    const op = await migrate(vmId, { strategy: 'COLD' });
    expect([op.kind, op.state, op.errorMessage]).toEqual(['vm.migrate', 'SUCCEEDED', null]);
    expect(op.steps.map((s) => s.name)).toEqual(['reserve', 'stop', 'transfer', 'start', 'verify', 'release']);
    const vm = await getVm(vmId);
    expect([vm.state, vm.plan?.hostName, vm.interfaces[0].mac]).toEqual(['RUNNING', 'mig-02', before.interfaces[0].mac]);
    expect(domainOn('mig-01', 'mg-cold')).toBeUndefined();
    expect(domainOn('mig-02', 'mg-cold')?.state).toBe('running');
    const i0 = vm.plan!.interfaces[0];
    expect(vfOf('mig-02', i0.nicName, i0.vfIndex!)).toMatchObject({ mac: before.interfaces[0].mac, vlan: 120 });
    const s0 = before.plan!.interfaces[0];
    expect(vfOf('mig-01', s0.nicName, s0.vfIndex!)).toMatchObject({ mac: '00:00:00:00:00:00', vlan: 0 });
    expect(await holdings(vmId)).toEqual({
      cpus: { 'mig-02': expect.any(Number) },
      vfs: { 'mig-02': 1 },
      pending: 0,
      migrations: 0,
      claims: { 'mig-02': 1 },
    });
  });
});
