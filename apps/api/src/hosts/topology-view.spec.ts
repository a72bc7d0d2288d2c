import type { FleetHost, FleetSnapshot, PlacementPlan } from '@netpin/contracts';
import type { NicRecord, NumaNodeRecord, PlacedVmRecord } from '@netpin/db';
import { applyPlan, fleet, place, planOf, vm } from '@netpin/placement';
import { describe, expect, it } from 'vitest';
import { buildTopologyView, planState } from './topology-view';

/**
 * One 8-CPU node with an SR-IOV PF that also carries a macvtap network: vm-a takes a VF,
 * vm-b a macvtap on the same PF, so both rely on the node's I/O CPUs (NIC IRQs + vhost).
 */
function placeTwo(): { snapshot: FleetSnapshot; a: PlacementPlan; b: PlacementPlan } {
  const s0 = fleet()
    .host({ name: 'h1', id: 'h1', nodes: 1, coresPerNode: 4, threadsPerCore: 2, nics: [{ name: 'ens1f0', node: 0, vfs: 4, queues: 2 }] })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 100 })
    .network('mvt', 'MACVTAP', { on: { h1: ['ens1f0'] } })
    .build();
  const a = planOf(place(s0, vm({ name: 'vm-a', vmId: 'vm-a', interfaces: [{ network: 'phys' }] })));
  const s1 = applyPlan(s0, a);
  const b = planOf(place(s1, vm({ name: 'vm-b', vmId: 'vm-b', interfaces: [{ network: 'mvt' }] })));
  return { snapshot: applyPlan(s1, b), a, b };
}

/** The inventory as the repositories return it: discovery's values, allocation rows from the snapshot. */
function records(host: FleetHost): { numaNodes: NumaNodeRecord[]; nics: NicRecord[] } {
  const numaNodes = host.numaNodes.map((n) => ({
    hostId: host.id,
    index: n.index,
    memoryMiB: n.memoryMiB,
    hugepages: [],
    cpus: host.cpus
      .filter((c) => c.numaNode === n.index)
      .map((c) => ({
        cpuId: c.id,
        socket: c.socket,
        core: c.core,
        numaNode: c.numaNode,
        siblings: c.siblings,
        reservedForHost: c.reservedForHost,
        allocation: c.owner,
      })),
  }));
  const nics = host.nics.map((n) => ({
    id: n.id,
    hostId: host.id,
    name: n.name,
    pciAddress: n.pciAddress,
    driver: 'ixgbe',
    vendorId: null,
    deviceId: null,
    numaNode: n.numaNode,
    speedMbps: n.speedMbps,
    mtu: n.mtu,
    maxMtu: n.maxMtu,
    linkState: 'up',
    combinedQueues: n.combinedQueues.current,
    maxCombinedQueues: n.combinedQueues.max,
    sriovTotalVfs: n.sriovTotalVfs,
    sriovNumVfs: n.sriovNumVfs,
    vdpaVfs: false,
    // what discovery read before any VM: every IRQ on every CPU, VFs without a MAC
    irqs: n.queueIrqs.map((q) => ({ irq: q.irq, queue: q.queue, label: `q${q.queue}`, affinity: host.cpus.map((c) => c.id) })),
    vfs: n.vfs.map((v) => ({
      index: v.index,
      pciAddress: v.pciAddress,
      mac: '00:00:00:00:00:00',
      vlan: 0,
      qos: 0,
      spoofchk: true,
      trust: false,
      linkState: 'auto',
      minTxRateMbps: 0,
      maxTxRateMbps: 0,
      allocatedToVmId: v.ownerVmId,
    })),
  }));
  return { numaNodes, nics };
}

const discoveredAt = new Date('2026-01-01T10:00:00Z');
const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 11, m));

function placed(plan: PlacementPlan, times: Partial<PlacedVmRecord> = {}): PlacedVmRecord {
  return {
    id: plan.vmId,
    name: plan.vmName,
    state: 'RUNNING',
    hostId: plan.hostId,
    plan,
    createdAt: t(0),
    appliedAt: null,
    verifiedAt: null,
    ...times,
  };
}

describe('host topology view', () => {
  const { snapshot, a, b } = placeTwo();
  const inv = { ...records(snapshot.hosts[0]!), lastDiscoveredAt: discoveredAt };
  const view = buildTopologyView(inv, [placed(a, { appliedAt: t(1), verifiedAt: t(2) }), placed(b, { createdAt: t(3), appliedAt: t(4) })]);
  const cpus = view.numaNodes.flatMap((n) => n.cpus);
  const io = a.ioCpus[0]!.cpus;

  it('lists every role of an I/O CPU: the IRQ owner first, then the vhost threads of each VM using it', () => {
    expect(io.length).toBeGreaterThan(0);
    for (const id of io) {
      const cpu = cpus.find((c) => c.cpuId === id)!;
      expect(cpu.allocation).toEqual({ vmId: 'vm-a', vmName: 'vm-a', role: 'IRQ' });
      expect(cpu.uses[0]).toEqual({ role: 'IRQ', vmId: 'vm-a', vmName: 'vm-a' });
      // vm-a's VF needs no vhost; vm-b's macvtap runs its vhost thread on the I/O set
      expect(cpu.uses.filter((u) => u.role === 'VHOST').map((u) => u.vmName)).toEqual(['vm-b']);
    }
    const vcpu = cpus.find((c) => c.cpuId === b.vcpuPins[0]!.cpus[0])!;
    expect(vcpu.uses.map((u) => `${u.role}:${u.vmName}`)).toEqual(['VCPU:vm-b', 'EMULATOR:vm-b']);
  });

  it('shows the IRQ affinity the plans applied, owned by the I/O CPUs\u2019 owner, with the discovered value kept', () => {
    const nic = view.nics[0]!;
    expect(nic.irqs.length).toBeGreaterThan(0);
    for (const irq of nic.irqs) {
      const pinned = b.irqAffinity.find((x) => x.irq === irq.irq)!;
      expect(irq.affinity).toEqual(pinned.cpus);
      expect(irq.discoveredAffinity).toHaveLength(8);
      expect(irq.ownerVmName).toBe('vm-a');
      // vm-b applied last (11:04, not verified since): its apply is what the host has
      expect(irq.state).toEqual({ source: 'APPLIED', at: t(4), vmId: 'vm-b', vmName: 'vm-b' });
    }
  });

  it('shows an allocated VF with the MAC and VLAN of its VM\u2019s plan, the others as discovered', () => {
    const [held, ...rest] = view.nics[0]!.vfs;
    expect(held).toMatchObject({
      index: a.interfaces[0]!.vf!.index,
      mac: a.interfaces[0]!.mac,
      vlan: 100,
      discoveredMac: '00:00:00:00:00:00',
    });
    expect(held!.allocatedToVmName).toBe('vm-a');
    expect(held!.state).toEqual({ source: 'VERIFIED', at: t(2), vmId: 'vm-a', vmName: 'vm-a' });
    for (const vf of rest) expect(vf).toMatchObject({ mac: '00:00:00:00:00:00', state: { source: 'DISCOVERED', at: discoveredAt } });
  });

  it('without placed VMs, everything is discovery\u2019s', () => {
    const empty = buildTopologyView(
      {
        ...records(
          fleet()
            .host({ name: 'h2', nics: [{ name: 'x', node: 0, queues: 2 }] })
            .build().hosts[0]!,
        ),
        lastDiscoveredAt: discoveredAt,
      },
      [],
    );
    expect(empty.numaNodes.flatMap((n) => n.cpus).every((c) => c.uses.length === 0 && c.allocation === null)).toBe(true);
    expect(empty.nics[0]!.irqs.every((i) => i.state.source === 'DISCOVERED' && i.affinity === i.discoveredAffinity)).toBe(true);
  });

  it('plan state: planned until applied, verified only by a verify after the last apply', () => {
    const vmx = { id: 'v', name: 'v' };
    expect(planState({ ...vmx, appliedAt: null, verifiedAt: null }).source).toBe('PLANNED');
    expect(planState({ ...vmx, appliedAt: t(5), verifiedAt: t(4) }).source).toBe('APPLIED');
    expect(planState({ ...vmx, appliedAt: t(5), verifiedAt: t(6) })).toMatchObject({ source: 'VERIFIED', at: t(6) });
  });
});
