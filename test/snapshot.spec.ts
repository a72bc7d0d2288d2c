import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetAllocation, FleetHost } from '@netpin/contracts';
import { loadFleet, loadSnapshot, SnapshotCache, type Db } from '@netpin/db';
import { expandFleet } from '@netpin/placement';
import { seedTopology, testDb } from './support/seed';

/**
 * The fleet read with one SQL statement per table (libs/db fleet-loader) against
 * what was written row by row through Prisma: every field placement reads, owners from the
 * allocation rows, memory and hugepages net of every holding VM's plan.
 */
let db: Db;
let hostId: string;
let otherId: string;
const vmId = '00000000-0000-4000-8000-0000000000a1';
const allocation: FleetAllocation = {
  vmId,
  vmName: 'snap-vm',
  hostId: '',
  cpus: [
    { cpu: 2, role: 'VCPU' },
    { cpu: 3, role: 'IRQ' },
  ],
  sharedVcpus: [],
  memory: [{ node: 0, mib: 4096 }],
  hugepages: [{ node: 1, size: 'SIZE_2M', pages: 24 }],
  vfs: [{ nicId: '', vfIndex: 5 }],
  bandwidth: [],
  ioNodes: [0],
  group: null,
  pmdQueues: [],
};

async function host(name: string): Promise<string> {
  const h = await db.host.create({
    data: { name, address: '127.0.0.1', credentialRef: 'file:k', state: 'READY', capVmx: true, capEpt: true, capIommu: true, capKvm: true },
  });
  return h.id;
}

beforeAll(async () => {
  db = testDb();
  hostId = await host('snap-b');
  otherId = await host('snap-a');
  await seedTopology(db, hostId, { nodes: 2, cpusPerNode: 4, vfs: 6 });
  await seedTopology(db, otherId, { nodes: 1, cpusPerNode: 2, vfs: 2 });
  await host('snap-undiscovered');
  const nic = await db.nic.findFirstOrThrow({ where: { hostId, name: 'ens1f0' } });
  const net = await db.network.create({ data: { name: 'snap-phys', kind: 'SRIOV_PHYSNET', physnet: 'p0', vlan: 7 } });
  await db.networkNic.create({ data: { networkId: net.id, hostId, nicId: nic.id } });
  allocation.hostId = hostId;
  allocation.vfs[0].nicId = nic.id;
  const plan = { allocation };
  await db.vm.create({ data: { id: vmId, name: 'snap-vm', hostId, vcpus: 1, memoryMiB: 4096, request: {}, plan, holding: true } });
  const iface = await db.vmInterface.create({ data: { vmId, index: 0, networkId: net.id } });
  for (const c of allocation.cpus) {
    const cpu = await db.cpu.findFirstOrThrow({ where: { hostId, cpuId: c.cpu } });
    await db.cpuAllocation.create({ data: { cpuRowId: cpu.id, hostId, vmId, role: c.role === 'ISOLATION' ? 'ISOLATION' : c.role } });
  }
  const vf = await db.vf.findFirstOrThrow({ where: { nicId: nic.id, index: 5 } });
  await db.vfAllocation.create({ data: { vfId: vf.id, vmId, interfaceId: iface.id } });
});

afterAll(async () => {
  await db?.$disconnect();
});

describe('loadSnapshot', () => {
  it('reads discovered hosts in name order with every field placement uses', async () => {
    const s = await loadSnapshot(db);
    expect(s.hosts.map((h) => h.name)).toEqual(['snap-a', 'snap-b']);
    const h = s.hosts.find((x) => x.id === hostId) as FleetHost;
    expect(h.state).toBe('READY');
    expect(h.virtType).toBe('KVM');
    expect(h.capabilities).toEqual({
      vmx: true,
      ept: true,
      iommu: true,
      kvm: true,
      vhostNet: false,
      ovs: false,
      ovsDpdk: false,
      vhostVdpa: false,
    });
    expect(h.pmdCpus).toEqual([]);
    // 64 GiB per node, 1024 x 2 MiB pages set aside; the VM holds 4 GiB on node 0 and 24 pages on node 1
    expect(h.numaNodes).toEqual([
      { index: 0, memoryMiB: 65536, memoryFreeMiB: 65536 - 2048 - 4096, hugepages: [{ size: 'SIZE_2M', total: 1024, free: 1024 }] },
      { index: 1, memoryMiB: 65536, memoryFreeMiB: 65536 - 2048, hugepages: [{ size: 'SIZE_2M', total: 1024, free: 1000 }] },
    ]);
    expect(h.cpus.map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(h.cpus[5]).toEqual({ id: 5, socket: 1, core: 0, numaNode: 1, siblings: [4, 5], reservedForHost: false, owner: null });
    expect(h.cpus[0].reservedForHost).toBe(true);
    expect(h.cpus[2].owner).toEqual({ vmId, role: 'VCPU' });
    expect(h.cpus[3].owner).toEqual({ vmId, role: 'IRQ' });
  });

  it('reads NICs by name with their queue IRQs and VFs, owned VFs allocated', async () => {
    const h = (await loadSnapshot(db)).hosts.find((x) => x.id === hostId) as FleetHost;
    expect(h.nics.map((n) => n.name)).toEqual(['eno1', 'ens1f0', 'ens2f0']);
    const [eno1, ens1] = h.nics;
    expect(eno1).toMatchObject({ numaNode: 0, speedMbps: 1000, queueIrqs: [], vfs: [], sriovTotalVfs: 0 });
    expect(ens1).toMatchObject({ pciAddress: '0000:3b:00.0', numaNode: 0, speedMbps: 10000, combinedQueues: { current: 4, max: 8 } });
    expect(ens1.queueIrqs).toEqual([0, 1, 2, 3].map((q) => ({ irq: 100 + q, queue: q })));
    expect(ens1.vfs.map((v) => v.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ens1.vfs[5]).toEqual({ index: 5, pciAddress: '0000:3b:10.5', state: 'ALLOCATED', ownerVmId: vmId });
    expect(ens1.vfs[4]).toEqual({ index: 4, pciAddress: '0000:3b:10.4', state: 'FREE', ownerVmId: null });
  });

  it('reads networks with the NICs that carry them, and each holding VM allocation', async () => {
    const s = await loadSnapshot(db);
    const nic = s.hosts.find((x) => x.id === hostId)?.nics.find((n) => n.name === 'ens1f0');
    expect(s.networks).toEqual([
      {
        id: expect.any(String),
        name: 'snap-phys',
        kind: 'SRIOV_PHYSNET',
        bridge: null,
        physnet: 'p0',
        vlan: 7,
        macvtapMode: null,
        mtu: null,
        vlanProtocol: 'DOT1Q',
        trunkVlans: [],
        nativeVlan: null,
        nativeVlanMode: 'UNTAGGED',
        hosts: [{ hostId, nicIds: [nic?.id] }],
      },
    ]);
    expect(s.allocations).toEqual([allocation]);
  });

  it("reads a network's VLAN protocol and trunk through their schema (trunk ascending)", async () => {
    const data = { vlanProtocol: 'DOT1AD', trunkVlans: [300, 20], nativeVlan: 20, nativeVlanMode: 'TAGGED' };
    await db.network.update({ where: { name: 'snap-phys' }, data });
    try {
      expect((await loadSnapshot(db)).networks[0]).toMatchObject({ ...data, trunkVlans: [20, 300] });
      await db.network.update({ where: { name: 'snap-phys' }, data: { trunkVlans: [0] } });
      await expect(loadSnapshot(db)).rejects.toThrow(/VLAN id must be between 1 and 4094/);
    } finally {
      await db.network.update({
        where: { name: 'snap-phys' },
        data: { vlanProtocol: 'DOT1Q', trunkVlans: [], nativeVlan: null, nativeVlanMode: 'UNTAGGED' },
      });
    }
  });

  it("reads OVS-DPDK and the host's PMD CPUs", async () => {
    await db.host.update({ where: { id: hostId }, data: { capOvsDpdk: true, pmdCpus: [2, 18] } });
    expect((await loadSnapshot(db, { hostIds: [hostId] })).hosts[0]).toMatchObject({ capabilities: { ovsDpdk: true }, pmdCpus: [2, 18] });
    await db.host.update({ where: { id: hostId }, data: { capOvsDpdk: false, pmdCpus: [] } });
  });

  it("reads the host's bridges and foreign domains through their schemas (unknown or unparsable: not checked / none)", async () => {
    expect((await loadSnapshot(db, { hostIds: [hostId] })).hosts[0]).toMatchObject({ bridges: null, foreignDomains: [] });
    const foreign = [{ name: 'legacy-db', cpus: [6, 7], pciDevices: ['0000:3b:10.4'] }];
    await db.host.update({ where: { id: hostId }, data: { bridges: [{ name: 'br0', kind: 'LINUX' }], foreignDomains: foreign } });
    expect((await loadSnapshot(db, { hostIds: [hostId] })).hosts[0]).toMatchObject({
      bridges: [{ name: 'br0', kind: 'LINUX' }],
      foreignDomains: foreign,
    });
    await db.host.update({
      where: { id: hostId },
      data: { bridges: [{ name: 'br0;reboot', kind: 'LINUX' }], foreignDomains: [{ name: 'x' }] },
    });
    expect((await loadSnapshot(db, { hostIds: [hostId] })).hosts[0]).toMatchObject({ bridges: null, foreignDomains: [] });
    await db.$executeRaw`UPDATE "Host" SET bridges = NULL, "foreignDomains" = '[]' WHERE id = ${hostId}::uuid`;
  });

  it('reads the same fleet streamed (COPY, its own connection) as inside a transaction (Prisma) or host by host', async () => {
    await db.host.update({
      where: { id: hostId },
      data: { foreignDomains: [{ name: 'legacy', cpus: [7], pciDevices: ['0000:3b:10.1'] }] },
    });
    // an address that follows no rule: that NIC keeps its VF addresses as text
    await db.$executeRaw`UPDATE "Vf" SET "pciAddress" = 'odd\\addr' WHERE index = 1 AND "nicId" IN (SELECT id FROM "Nic" WHERE "hostId" = ${otherId}::uuid)`;
    const streamed = await loadFleet(db);
    const inTx = await db.$transaction((tx) => loadFleet(tx));
    expect(expandFleet(streamed)).toEqual(expandFleet(inTx));
    const byHost = await loadSnapshot(db, { hostIds: [hostId, otherId] });
    expect(byHost.hosts).toEqual(expandFleet(streamed).hosts);
    const odd = expandFleet(streamed)
      .hosts.find((h) => h.id === otherId)
      ?.nics.find((n) => n.vfs.length > 0);
    expect(odd?.vfs.map((v) => v.pciAddress)).toEqual(['0000:3b:10.0', 'odd\\addr']);
    expect(streamed.hosts.find((h) => h.id === hostId)?.nics.every((n) => n.vfs.index.length === 0 || !Array.isArray(n.vfs.pci))).toBe(
      true,
    );
    // NICs alike share one frozen queue count (nothing changes it; one object for 30,000 NICs)
    const nics = streamed.hosts.flatMap((h) => h.nics);
    for (const n of nics) {
      expect(Object.isFrozen(n.combinedQueues)).toBe(true);
      const twin = nics.find((m) => m.combinedQueues.current === n.combinedQueues.current && m.combinedQueues.max === n.combinedQueues.max);
      expect(twin?.combinedQueues).toBe(n.combinedQueues);
    }
    await db.$executeRaw`UPDATE "Host" SET "foreignDomains" = '[]' WHERE id = ${hostId}::uuid`;
  });

  it("orders a NIC's queue IRQs by queue then IRQ whatever the rows' order; NICs alike share one frozen list", async () => {
    const nics = await db.nic.findMany({ where: { hostId, name: { in: ['ens1f0', 'ens2f0'] } }, orderBy: { name: 'asc' } });
    const saved = await db.nicIrq.findMany({ where: { nicId: { in: nics.map((n) => n.id) } } });
    await db.nicIrq.deleteMany({ where: { nicId: { in: nics.map((n) => n.id) } } });
    const rows = (nicId: string, order: [number, number][]) =>
      order.map(([queue, irq]) => ({ nicId, irq, queue, label: `q${queue}-${irq}`, affinity: [] }));
    // one row at a time, so their physical order is the one written
    for (const r of rows(nics[0].id, [
      [1, 301],
      [0, 311],
      [1, 300],
      [0, 310],
    ]))
      await db.nicIrq.create({ data: r });
    for (const r of rows(nics[1].id, [
      [0, 310],
      [1, 301],
      [0, 311],
      [1, 300],
    ]))
      await db.nicIrq.create({ data: r });
    try {
      for (const fleet of [await loadFleet(db), await db.$transaction((tx) => loadFleet(tx))]) {
        const host = fleet.hosts.find((h) => h.id === hostId);
        const [a, b] = nics.map((n) => host?.nics.find((x) => x.id === n.id)?.queueIrqs);
        expect(a).toEqual([
          { irq: 310, queue: 0 },
          { irq: 311, queue: 0 },
          { irq: 300, queue: 1 },
          { irq: 301, queue: 1 },
        ]);
        expect(b).toBe(a);
        expect(Object.isFrozen(a) && Object.isFrozen(a?.[0])).toBe(true);
      }
    } finally {
      await db.nicIrq.deleteMany({ where: { nicId: { in: nics.map((n) => n.id) } } });
      await db.nicIrq.createMany({ data: saved });
    }
  });

  it('reads only the hosts asked for', async () => {
    const s = await loadSnapshot(db, { hostIds: [otherId] });
    expect(s.hosts.map((h) => h.name)).toEqual(['snap-a']);
    expect(s.allocations).toEqual([]);
  });

  it('the cache places on an index equal to a fresh read', async () => {
    const cache = new SnapshotCache(db);
    expect(await cache.current()).toEqual(await loadSnapshot(db));
  });
});

describe('SnapshotCache catching up with other writers', () => {
  it('re-reads only the hosts another writer changed, and stays equal to a fresh read', async () => {
    const cache = new SnapshotCache(db);
    await cache.read();
    expect(cache.fullReads).toBe(1);
    // another process: reserve a CPU on snap-a and take back the VM's hugepages on snap-b
    await db.cpu.updateMany({ where: { hostId: otherId, cpuId: 1 }, data: { reservedForHost: true } });
    await db.numaNode.updateMany({ where: { hostId, index: 1 }, data: { hugepages: [{ sizeKiB: 2048, total: 512, free: 512 }] } });
    const v = await cache.read();
    expect(cache.fullReads).toBe(1);
    expect(v.index.hostRt('snap-a')?.reserved.filter(Boolean).length).toBe(2);
    expect(await cache.current()).toEqual(await loadSnapshot(db));
  });

  it('reads everything again after a network change or when the change log was pruned past it', async () => {
    const cache = new SnapshotCache(db);
    await cache.read();
    await db.network.create({ data: { name: 'snap-br', kind: 'LINUX_BRIDGE', bridge: 'br0' } });
    await cache.read();
    expect(cache.fullReads).toBe(2);
    await db.cpu.updateMany({ where: { hostId: otherId, cpuId: 1 }, data: { reservedForHost: false } });
    await db.$executeRaw`UPDATE "PlacementState" SET "prunedThrough" = "generation" WHERE id = 1`;
    expect(await cache.current()).toEqual(await loadSnapshot(db));
    expect(cache.fullReads).toBe(3);
  });

  it('a host another writer discovers appears in the index', async () => {
    const cache = new SnapshotCache(db);
    await cache.read();
    await seedTopology(db, (await db.host.findUniqueOrThrow({ where: { name: 'snap-undiscovered' } })).id, { nodes: 1, cpusPerNode: 2 });
    expect((await cache.read()).index.hostRt('snap-undiscovered')).toBeDefined();
    expect(await cache.current()).toEqual(await loadSnapshot(db));
  });
});
