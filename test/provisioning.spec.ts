import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotCache, SnapshotRepository, type Db } from '@netpin/db';
import type { FleetSnapshot } from '@netpin/contracts';
import { GqlError } from '@netpin/client';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

let c: Cluster;
let db: Db;

const CREATE = `mutation ($input: VmInput!, $key: String) { createVm(input: $input, idempotencyKey: $key) {
  vm { id name state hostId plan { hostName numaNodes vcpuPins { vcpu cpus } emulatorCpus interfaces { datapath nicName vfIndex mac vlan sourceDevice } irqAffinity { irq cpus } rps { nicName rxQueue cpus } } }
  operation { id kind state } } }`;

interface PlanOut {
  hostName: string;
  numaNodes: number[];
  vcpuPins: { vcpu: number; cpus: number[] }[];
  interfaces: { datapath: string; nicName: string | null; vfIndex: number | null; mac: string; vlan: number | null }[];
  irqAffinity: { irq: number; cpus: number[] }[];
  rps: { nicName: string; rxQueue: number; cpus: number[] }[];
}
interface Created {
  createVm: { vm: { id: string; name: string; state: string; plan: PlanOut }; operation: { id: string; kind: string; state: string } };
}

async function createAndWait(input: Record<string, unknown>): Promise<{ id: string; plan: PlanOut; state: string }> {
  const r = await c.client.request<Created>(CREATE, { input });
  const op = await c.client.waitForOperation(r.createVm.operation.id, 60_000);
  const { vm } = await c.client.request<{ vm: { id: string; state: string; errorCode: string | null; errorMessage: string | null } }>(
    `query ($id: ID!) { vm(id: $id) { id state errorCode errorMessage } }`,
    { id: r.createVm.vm.id },
  );
  expect({ op: op.state, vm: vm.state, error: op.errorMessage ?? vm.errorMessage }).toEqual({
    op: 'SUCCEEDED',
    vm: 'RUNNING',
    error: null,
  });
  return { id: vm.id, plan: r.createVm.vm.plan, state: vm.state };
}

function simHost(name: string) {
  const h = c.fleet.hosts.find((x) => x.hostname === name);
  if (!h) throw new Error(`no sim host ${name}`);
  return h;
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov', 'small-one-node', 'legacy-no-iommu'], namePrefix: 'prov' });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
});

describe('discovery through the API', () => {
  it('fills the inventory with what each simulated host has', async () => {
    const { hosts } = await c.client.request<{
      hosts: {
        nodes: {
          name: string;
          state: string;
          capabilities: { iommu: boolean; vhostNet: boolean };
          numaNodes: { cpus: unknown[] }[];
          nics: { name: string; numaNode: number; sriovNumVfs: number; vfs: unknown[] }[];
        }[];
      };
    }>(
      `{ hosts(filter: { network: "tenant-br" }) { nodes { name state capabilities { iommu vhostNet } numaNodes { cpus { cpuId } } nics { name numaNode sriovNumVfs vfs { index } } } } }`,
    );
    const byName = new Map(hosts.nodes.map((h) => [h.name, h]));
    const dual = byName.get('prov-01')!;
    expect(dual.state).toBe('READY');
    expect(dual.numaNodes.map((n) => n.cpus.length)).toEqual([32, 32]);
    expect(dual.nics.find((n) => n.name === 'ens5f0')).toMatchObject({ numaNode: 1, sriovNumVfs: 8 });
    expect(dual.nics.find((n) => n.name === 'ens5f0')!.vfs).toHaveLength(8);
    expect(byName.get('prov-03')!.capabilities).toEqual({ iommu: false, vhostNet: false });
  });
});

describe('one VM per datapath, verified on the host', () => {
  const made: { id: string; host: string }[] = [];
  const cases: [string, Record<string, unknown>, string][] = [
    ['sriov', { interfaces: [{ network: 'physnet0', vlan: 100 }] }, 'SRIOV'],
    ['sriov-failover', { interfaces: [{ network: 'physnet0', liveMigratable: true }] }, 'SRIOV'],
    ['macvtap', { interfaces: [{ network: 'direct' }] }, 'VHOST_MACVTAP'],
    ['bridge', { interfaces: [{ network: 'tenant-br', datapath: 'VHOST_BRIDGE' }] }, 'VHOST_BRIDGE'],
    ['ovs', { interfaces: [{ network: 'tenant-ovs' }] }, 'VHOST_OVS'],
    ['userspace', { pinHost: 'prov-03', interfaces: [{ network: 'tenant-br' }] }, 'VIRTIO_USERSPACE'],
    ['e1000', { guestVirtio: false, interfaces: [{ network: 'tenant-br' }] }, 'E1000'],
    ['rtl8139', { interfaces: [{ network: 'tenant-br', datapath: 'RTL8139' }] }, 'RTL8139'],
  ];

  it.each(cases)('%s', async (name, extra, datapath) => {
    const vm = await createAndWait({ name: `dp-${name}`, vcpus: 2, memoryMiB: 1024, ...extra });
    expect(vm.plan.interfaces[0].datapath).toBe(datapath);
    made.push({ id: vm.id, host: vm.plan.hostName });
    const state = simHost(vm.plan.hostName).state();
    const dom = state.domains.find((d) => d.name === `dp-${name}`);
    expect(dom?.state).toBe('running');
    for (const pin of vm.plan.vcpuPins) expect(dom?.xml).toContain(`<vcpupin vcpu='${pin.vcpu}' cpuset='${pin.cpus.join(',')}'`);
    for (const irq of vm.plan.irqAffinity) expect(state.irqs.find((i) => i.irq === irq.irq)?.affinity).toEqual(irq.cpus);
    for (const r of vm.plan.rps) expect(state.nics.find((n) => n.name === r.nicName)?.rps[r.rxQueue]).toEqual(r.cpus);
    const i0 = vm.plan.interfaces[0];
    if (datapath === 'SRIOV') {
      const vf = state.nics.find((n) => n.name === i0.nicName)!.vfs[i0.vfIndex!];
      expect(vf.mac).toBe(i0.mac);
      if (i0.vlan) expect(vf.vlan).toBe(i0.vlan);
    }
  });

  it('keeps the in-memory fleet snapshot exactly equal to a fresh read from the database', async () => {
    const cache = c.api.app.get(SnapshotCache);
    const fresh = await new SnapshotRepository(db).load();
    const byVm = (s: FleetSnapshot) => ({ ...s, allocations: [...s.allocations].sort((a, b) => a.vmId.localeCompare(b.vmId)) });
    const cached = await cache.current();
    expect(cache.hits).toBeGreaterThan(0);
    expect(byVm(cached)).toEqual(byVm(fresh));
  });

  it('no CPU or VF has two owners and every running VM holds its allocations', async () => {
    const dup = await db.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM (SELECT "cpuRowId" FROM "CpuAllocation" GROUP BY "cpuRowId" HAVING count(*) > 1) x`;
    expect(Number(dup[0].n)).toBe(0);
    expect(await db.vfAllocation.count()).toBe(2);
  });

  it('deleting every VM returns the hosts to their baseline and the database to zero allocations', async () => {
    for (const m of made) {
      const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
        id: m.id,
      });
      const op = await c.client.waitForOperation(deleteVm.id);
      expect(op.state).toBe('SUCCEEDED');
    }
    expect(await db.cpuAllocation.count()).toBe(0);
    expect(await db.vfAllocation.count()).toBe(0);
    expect(await db.vm.count({ where: { holding: true } })).toBe(0);
    for (const h of c.fleet.hosts) {
      const s = h.state();
      expect(s.domains).toEqual([]);
      for (const n of s.nics) for (const vf of n.vfs) expect(vf.mac).toBe('00:00:00:00:00:00');
    }
    const { vms } = await c.client.request<{ vms: { nodes: { state: string }[] } }>(
      `{ vms(filter: { includeDeleted: true }, first: 500) { nodes { state } } }`,
    );
    expect(new Set(vms.nodes.map((v) => v.state))).toEqual(new Set(['DELETED']));
  });
});

describe('idempotency and bad input', () => {
  const shape = { name: 'idem-1', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'tenant-br' }] };

  it('same key and same input gives the same VM and operation; a different input gives CONFLICT', async () => {
    const a = await c.client.request<Created>(CREATE, { input: shape, key: 'key-1' });
    const b = await c.client.request<Created>(CREATE, { input: shape, key: 'key-1' });
    expect(b.createVm.vm.id).toBe(a.createVm.vm.id);
    expect(b.createVm.operation.id).toBe(a.createVm.operation.id);
    await expect(c.client.request(CREATE, { input: { ...shape, vcpus: 2 }, key: 'key-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const rest = await c.api.rest('POST', '/api/v1/vms', shape, { 'idempotency-key': 'key-1' });
    expect(rest.status).toBe(202);
    expect(rest.body.vm.id).toBe(a.createVm.vm.id);
    expect(await db.vm.count({ where: { name: 'idem-1' } })).toBe(1);
    await c.client.waitForOperation(a.createVm.operation.id);
  });

  it('refuses a requested MAC that a live VM already uses, naming the field, and writes nothing', async () => {
    const live = await db.vmInterface.findFirstOrThrow({ where: { vm: { name: 'idem-1', state: 'RUNNING' } }, select: { mac: true } });
    const before = await db.vm.count();
    const err = await c.client
      .request(CREATE, {
        input: {
          name: 'mac-clash',
          vcpus: 1,
          memoryMiB: 512,
          interfaces: [{ network: 'tenant-br' }, { network: 'tenant-br', mac: live.mac }],
        },
      })
      .catch((e: GqlError) => e);
    expect((err as GqlError).code).toBe('CONFLICT');
    expect(((err as GqlError).errors[0] as { extensions: { field: string } }).extensions.field).toBe('interfaces.1.mac');
    expect(await db.vm.count()).toBe(before);
  });

  it('answers an impossible shape with PLACEMENT_REJECTED, a summary per reason, and writes nothing', async () => {
    const before = await db.vm.count();
    const err = await c.client
      .request(CREATE, { input: { name: 'huge', vcpus: 200, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] } })
      .catch((e: GqlError) => e);
    expect(err).toBeInstanceOf(GqlError);
    expect((err as GqlError).code).toBe('PLACEMENT_REJECTED');
    const ext = ((err as GqlError).errors[0] as { extensions: { summary: { code: string; hosts: number }[] } }).extensions;
    expect(ext.summary.length).toBeGreaterThan(0);
    const rest = await c.api.rest('POST', '/api/v1/vms', { name: 'huge', vcpus: 200, memoryMiB: 1024 });
    expect(rest.status).toBe(422);
    expect(await db.vm.count()).toBe(before);
  });

  it('answers an unknown network with BAD_USER_INPUT naming the interface', async () => {
    const err = await c.client
      .request(CREATE, { input: { name: 'nonet', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'tenant-br' }, { network: 'nope' }] } })
      .catch((e: GqlError) => e);
    expect((err as GqlError).code).toBe('BAD_USER_INPUT');
    expect(((err as GqlError).errors[0] as { extensions: { field: string } }).extensions.field).toBe('interfaces.1.network');
  });

  it('previews and explains without writing', async () => {
    const before = await db.vm.count();
    const p = await c.client.request<{
      previewPlacement: { fits: boolean; plan: { hostName: string; interfaces: { datapath: string }[] } };
    }>(`query ($input: VmInput!) { previewPlacement(input: $input) { fits plan { hostName interfaces { datapath } } } }`, {
      input: { name: 'pv', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] },
    });
    expect(p.previewPlacement.fits).toBe(true);
    expect(p.previewPlacement.plan.interfaces[0].datapath).toBe('SRIOV');
    const e = await c.client.request<{ explainPlacement: { fits: boolean; reasons: { code: string }[] } }>(
      `query ($input: VmInput!) { explainPlacement(input: $input, host: "prov-03") { fits reasons { code } } }`,
      { input: { name: 'pv', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] } },
    );
    expect(e.explainPlacement.fits).toBe(false);
    expect(e.explainPlacement.reasons.map((r) => r.code)).toContain('NETWORK_NOT_ON_HOST');
    const cap = await c.client.request<{ capacity: { total: number } }>(`query ($input: VmInput!) { capacity(input: $input) { total } }`, {
      input: { name: 'cap', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] },
    });
    expect(cap.capacity.total).toBeGreaterThan(0);
    expect(await db.vm.count()).toBe(before);
  });
});
