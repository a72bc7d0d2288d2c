import { setUpBeyondApply, type FleetSnapshot, type PlacementPlan, type VmRequest } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, place, releaseVm } from '../api';
import { PlacementIndex } from '../engine';
import { planAttach, planDetach, type AttachResult } from '../hotplug';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

/**
 * NIC hot-plug on the VM's current host: the same rules as a create (datapath per interface,
 * NUMA-local VF when the policy asks, else the fallback order), nothing the VM already holds
 * moves, and a detach gives back exactly what the attach took.
 *
 * Host "h1": two NUMA nodes; ens1f0 = SR-IOV PF (4 VFs) on node 1, ens2f0 = SR-IOV PF (4 VFs)
 * on node 0, eno1 = plain NIC on node 1 carrying a Linux bridge and a macvtap network.
 */
function oneHost(host: Partial<HostSpec> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      nics: [
        { name: 'ens1f0', node: 1, vfs: 4, queues: 4 },
        { name: 'ens2f0', node: 0, vfs: 4, queues: 4 },
        { name: 'eno1', node: 1, queues: 8, speedMbps: 10_000 },
      ],
      ...host,
    })
    .network('phys1', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 100 })
    .network('phys0', 'SRIOV_PHYSNET', { on: { h1: ['ens2f0'] } })
    .network('lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br0' })
    .build();
}

function placed(s: FleetSnapshot, req: VmRequest): { index: PlacementIndex; plan: PlacementPlan; snapshot: FleetSnapshot } {
  const plan = planOf(place(s, req));
  const snapshot = applyPlan(s, plan);
  return { index: new PlacementIndex(snapshot), plan, snapshot };
}

function attached(r: AttachResult) {
  if (!r.ok) throw new Error(`expected the interface to fit: ${r.rejection.message}`);
  return r;
}
const codes = (r: AttachResult) => {
  if (r.ok) throw new Error(`expected a rejection, got ${r.iface.datapath}`);
  return r.rejection.summary.map((s) => s.code);
};

const sriovVm = vm({ name: 'a', vcpus: 2, interfaces: [{ network: 'phys1', datapath: 'SRIOV' }] });

describe('a second VF on the PF the VM already uses', () => {
  const { index, plan } = placed(oneHost(), sriovVm);
  const r = attached(
    planAttach(index, plan, sriovVm, {
      network: 'phys1',
      datapath: 'AUTO',
      liveMigratable: false,
      minBandwidthMbps: 0,
      maxBandwidthMbps: 0,
    }),
  );

  it('takes the next free VF with the network VLAN, index 1, NUMA-local', () => {
    expect(r.iface).toMatchObject({ index: 1, datapath: 'SRIOV', nicName: 'ens1f0', vf: { index: 1 }, vlan: 100, numaLocal: true });
    expect(r.plan.allocation.vfs.map((v) => v.vfIndex)).toEqual([0, 1]);
  });
  it('moves nothing the VM holds and plans no IRQ twice (same NIC, same I/O set)', () => {
    expect(r.plan.vcpuPins).toEqual(plan.vcpuPins);
    expect(r.plan.allocation.cpus).toEqual(plan.allocation.cpus);
    expect(r.plan.irqAffinity).toEqual(plan.irqAffinity);
    expect(r.plan.rps).toEqual(plan.rps);
    expect(r.plan.interfaces[0]).toEqual(plan.interfaces[0]);
  });
  it('does not change the index it read', () => {
    expect(
      index
        .hostRt('h1')
        ?.nics.find((n) => n.nic.name === 'ens1f0')
        ?.freeVfs.toArray(),
    ).toEqual([1, 2, 3]);
  });
  it('is undone exactly by a detach of that interface', () => {
    expect(planDetach(r.plan, 1)).toEqual(plan);
  });
});

describe('every VF of the PF taken', () => {
  it('falls back to vhost-net over macvtap on the PF, as a create would', () => {
    const { index, plan } = placed(
      oneHost({
        nics: [
          { name: 'ens1f0', node: 1, vfs: 1, queues: 4 },
          { name: 'ens2f0', node: 0, vfs: 4 },
          { name: 'eno1', node: 1 },
        ],
      }),
      sriovVm,
    );
    const r = attached(
      planAttach(index, plan, sriovVm, {
        network: 'phys1',
        datapath: 'AUTO',
        liveMigratable: false,
        minBandwidthMbps: 0,
        maxBandwidthMbps: 0,
      }),
    );
    expect(r.iface).toMatchObject({ datapath: 'VHOST_MACVTAP', sourceDevice: 'ens1f0', vf: null, queues: 2 });
    expect(r.plan.vhostCpus).toEqual(plan.ioCpus[0].cpus);
  });
  it('an explicit SRIOV datapath is rejected with NO_FREE_VF', () => {
    const { index, plan } = placed(
      oneHost({
        nics: [
          { name: 'ens1f0', node: 1, vfs: 1, queues: 4 },
          { name: 'ens2f0', node: 0, vfs: 4 },
          { name: 'eno1', node: 1 },
        ],
      }),
      sriovVm,
    );
    expect(
      codes(
        planAttach(index, plan, sriovVm, {
          network: 'phys1',
          datapath: 'SRIOV',
          liveMigratable: false,
          minBandwidthMbps: 0,
          maxBandwidthMbps: 0,
        }),
      ),
    ).toEqual(['NO_FREE_VF']);
  });
});

describe('numaPolicy REQUIRED, the VM on node 1, a network whose only PF is on node 0', () => {
  it('is rejected: the VF would not be NUMA-local (NO_FREE_VF_ON_NUMA_NODE), and nothing is taken', () => {
    const { index, plan } = placed(oneHost(), sriovVm);
    const r = planAttach(index, plan, sriovVm, {
      network: 'phys0',
      datapath: 'SRIOV',
      liveMigratable: false,
      minBandwidthMbps: 0,
      maxBandwidthMbps: 0,
    });
    expect(codes(r)).toEqual(['NO_FREE_VF_ON_NUMA_NODE']);
    expect(!r.ok && r.rejection.message).toMatch(/on h1: NO_FREE_VF_ON_NUMA_NODE \(interface 1 \(phys0\): no free VF on node 1\)/);
  });
});

describe('numaPolicy PREFERRED, the VM on node 1, a network whose only PF is on node 0', () => {
  const pref = vm({ name: 'p', vcpus: 2, numaPolicy: 'PREFERRED', interfaces: [{ network: 'phys1', datapath: 'SRIOV' }] });
  const { index, plan, snapshot } = placed(oneHost(), pref);
  const r = attached(
    planAttach(index, plan, pref, { network: 'phys0', datapath: 'SRIOV', liveMigratable: false, minBandwidthMbps: 0, maxBandwidthMbps: 0 }),
  );

  it('takes the remote VF, says so in the penalties, and claims node 0 an I/O set for its IRQs', () => {
    expect(r.iface).toMatchObject({ nicName: 'ens2f0', vf: { index: 0 }, numaLocal: false });
    expect(r.plan.penalties.at(-1)).toMatch(/interface 1 \(phys0\): NIC ens2f0 is on node 0/);
    const fresh = r.plan.ioCpus.find((s) => s.node === 0);
    expect(fresh).toMatchObject({ newlyAllocated: true });
    expect(r.plan.allocation.ioNodes).toEqual([0, 1]);
    expect(r.plan.allocation.cpus.filter((c) => c.role === 'IRQ').map((c) => c.cpu)).toEqual(
      [...plan.ioCpus[0].cpus, ...(fresh?.cpus ?? [])].sort((x, y) => x - y),
    );
    expect(r.plan.irqAffinity.filter((x) => x.nicName === 'ens2f0').map((x) => x.cpus[0])).toEqual(
      expect.arrayContaining(fresh?.cpus ?? [-1]),
    );
  });
  it('is a plan the fleet accepts in place of the old one (no CPU or VF taken twice)', () => {
    expect(() => applyPlan(releaseVm(snapshot, plan.vmId), r.plan)).not.toThrow();
  });
  it('a detach gives the node 0 I/O set, the VF and the IRQs back', () => {
    expect(planDetach(r.plan, 1)).toEqual(plan);
  });
});

describe('what a create would refuse, an attach refuses with the same codes', () => {
  const { index, plan } = placed(oneHost(), sriovVm);
  const base = { datapath: 'AUTO' as const, liveMigratable: false, minBandwidthMbps: 0, maxBandwidthMbps: 0 };
  it('an unknown network: NETWORK_UNKNOWN, naming the new interface', () => {
    const r = planAttach(index, plan, sriovVm, { ...base, network: 'nope' });
    expect(!r.ok && r.rejection.requestReasons).toEqual([{ code: 'NETWORK_UNKNOWN', detail: 'interface 1: no network "nope"' }]);
  });
  it('more bandwidth than the NIC has unpromised: NIC_BANDWIDTH_EXHAUSTED', () => {
    expect(codes(planAttach(index, plan, sriovVm, { ...base, network: 'lbr', minBandwidthMbps: 20_000 }))).toEqual([
      'NIC_BANDWIDTH_EXHAUSTED',
    ]);
  });
  it('a host in maintenance: HOST_IN_MAINTENANCE', () => {
    const s = placed(oneHost(), vm({ name: 'm', vcpus: 2 }));
    // placed before the host went into maintenance
    const inMaint = new PlacementIndex({ ...s.snapshot, hosts: s.snapshot.hosts.map((h) => ({ ...h, state: 'MAINTENANCE' as const })) });
    expect(codes(planAttach(inMaint, s.plan, vm({ name: 'm', vcpus: 2 }), { ...base, network: 'lbr' }))).toEqual(['HOST_IN_MAINTENANCE']);
  });
});

describe('bandwidth promised on a bridge NIC', () => {
  it('is added to the NIC the VM already has a promise on, and given back by the detach', () => {
    const bw = vm({ name: 'b', vcpus: 2, numaPolicy: 'PREFERRED', interfaces: [{ network: 'lbr', minBandwidthMbps: 1000 }] });
    const { index, plan } = placed(oneHost(), bw);
    const r = attached(
      planAttach(index, plan, bw, { network: 'lbr', datapath: 'AUTO', liveMigratable: false, minBandwidthMbps: 2000, maxBandwidthMbps: 0 }),
    );
    expect(r.iface).toMatchObject({ datapath: 'VHOST_BRIDGE', sourceDevice: 'br0', queues: 2 });
    expect(r.plan.allocation.bandwidth).toEqual([{ nicId: plan.interfaces[0].nicId, mbps: 3000 }]);
    expect(planDetach(r.plan, 0)?.allocation.bandwidth).toEqual([{ nicId: plan.interfaces[0].nicId, mbps: 2000 }]);
    expect(planDetach(r.plan, 1)).toEqual(plan);
    expect(planDetach(r.plan, 7)).toBeNull();
  });
});

describe('AUTO hot-plug passes over a datapath whose host device only a define makes (vDPA)', () => {
  const snap = fleet()
    .host({ name: 'h1', caps: { vhostVdpa: true }, nics: [{ name: 'ens1f0', node: 1, vfs: 2, vdpaVfs: true }] })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
    .build();
  const virtioVm = vm({ name: 'v', vcpus: 2, guest: { virtio: true, vfDriver: false }, interfaces: [{ network: 'phys' }] });
  const { index, plan } = placed(snap, virtioVm);
  const more = { network: 'phys', datapath: 'AUTO', liveMigratable: false, minBandwidthMbps: 0, maxBandwidthMbps: 0 } as const;

  it('a create takes vDPA there; the hot-plugged NIC takes the next datapath in the AUTO order', () => {
    expect(plan.interfaces[0].datapath).toBe('VDPA');
    const r = attached(planAttach(index, plan, virtioVm, more));
    expect(r.iface.datapath).not.toBe('VDPA');
    expect(r.iface.vdpa ?? null).toBeNull();
    expect(setUpBeyondApply('VDPA')).toBe(false);
    expect((['SRIOV', 'VHOST_MACVTAP', 'VHOST_BRIDGE'] as const).every(setUpBeyondApply)).toBe(true);
  });
});
