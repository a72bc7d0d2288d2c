import type { FleetSnapshot, VmRequestInput } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, place } from '../api';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * Host "h1": 2 nodes x 4 cores x 2 threads (node 0 = CPUs 0-3,8-11; node 1 = 4-7,12-15);
 * ens1f0 on node 1 with 2 VFs that are vdpa management devices (a ConnectX-6 Dx with
 * mlx5_vdpa), vhost_vdpa loaded; the "phys" SR-IOV network on it.
 */
function vdpaHost(host: Partial<HostSpec> = {}, nic: Partial<NonNullable<HostSpec['nics']>[number]> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      caps: { vhostVdpa: true },
      nics: [{ name: 'ens1f0', node: 1, vfs: 2, vdpaVfs: true, ...nic }],
      ...host,
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 120, mtu: 9000 })
    .build();
}

const virtioOnly = (input: Partial<VmRequestInput> = {}) =>
  vm({ vcpus: 4, guest: { virtio: true, vfDriver: false }, interfaces: [{ network: 'phys' }], ...input });

describe('AUTO on an SR-IOV network whose VFs are vdpa devices, guest without the VF driver', () => {
  const snap = vdpaHost();
  const p = planOf(place(snap, virtioOnly()));

  it('takes vDPA: a virtio interface on a VF, with the vdpa device netpin creates on its mgmtdev', () => {
    const i = p.interfaces[0];
    expect(i).toMatchObject({ datapath: 'VDPA', connection: 'VDPA', model: 'virtio', vhost: false, vlan: 120, mtu: 9000 });
    expect(i.vf).not.toBeNull();
    expect(i.vdpa?.device).toMatch(/^vdp[0-9a-f]{8}$/);
    expect(i.vdpa?.mgmtdev).toBe(`pci/${i.vf?.pciAddress}`);
    expect(i.vhostUser).toBeNull();
  });

  it("is NUMA-local like a VF: the VM lands on the NIC's node, and the VF is allocated", () => {
    expect(p.numaNodes).toEqual([1]);
    expect(p.interfaces[0].numaLocal).toBe(true);
    expect(p.allocation.vfs).toEqual([{ nicId: 'h1/ens1f0', vfIndex: p.interfaces[0].vf?.index }]);
  });

  it('queues scale with the vCPUs (they become the device max_vqp)', () => {
    expect(p.interfaces[0].queues).toBe(4);
  });

  it('a second VM takes the other VF; a third finds none (AUTO falls back to macvtap)', () => {
    const after1 = applyPlan(snap, p);
    const p2 = planOf(place(after1, virtioOnly({ name: 'vm2', vcpus: 1 })));
    expect(p2.interfaces[0].vf?.index).not.toBe(p.interfaces[0].vf?.index);
    expect(p2.interfaces[0].vdpa?.device).not.toBe(p.interfaces[0].vdpa?.device);
    const after2 = applyPlan(after1, p2);
    const explicit = virtioOnly({ name: 'vm3', vcpus: 1, interfaces: [{ network: 'phys', datapath: 'VDPA' }] });
    expect(reasonsOf(place(after2, explicit))).toContain('NO_FREE_VF');
    expect(planOf(place(after2, virtioOnly({ name: 'vm3', vcpus: 1 }))).interfaces[0].datapath).toBe('VHOST_MACVTAP');
  });
});

describe('where vDPA sits in the AUTO order', () => {
  it('a guest with the VF driver gets SR-IOV passthrough (ranked above vDPA)', () => {
    const p = planOf(place(vdpaHost(), vm({ interfaces: [{ network: 'phys' }] })));
    expect(p.interfaces[0].datapath).toBe('SRIOV');
    expect(p.interfaces[0].vdpa).toBeNull();
  });

  it('with the IOMMU off, SR-IOV cannot be placed and vDPA is taken', () => {
    const p = planOf(place(vdpaHost({ caps: { vhostVdpa: true, iommu: false } }), vm({ interfaces: [{ network: 'phys' }] })));
    expect(p.interfaces[0].datapath).toBe('VDPA');
  });

  it('without vdpa VFs, a virtio-only guest falls back to macvtap on the PF (no vdpa device)', () => {
    const p = planOf(place(vdpaHost({}, { vdpaVfs: false }), virtioOnly()));
    expect(p.interfaces[0].datapath).toBe('VHOST_MACVTAP');
    expect(p.interfaces[0].vdpa).toBeNull();
  });

  it('explicit vDPA on a guest without virtio is refused', () => {
    const r = place(vdpaHost(), vm({ guest: { virtio: false, vfDriver: true }, interfaces: [{ network: 'phys', datapath: 'VDPA' }] }));
    expect(reasonsOf(r)).toContain('GUEST_LACKS_VIRTIO');
  });

  it('a live-migratable interface never gets vDPA (it moves only COLD): AUTO passes over it', () => {
    const p = planOf(place(vdpaHost(), virtioOnly({ interfaces: [{ network: 'phys', liveMigratable: true }] })));
    expect(p.interfaces[0].datapath).toBe('VHOST_MACVTAP');
    const explicit = virtioOnly({ interfaces: [{ network: 'phys', datapath: 'VDPA', liveMigratable: true }] });
    expect(reasonsOf(place(vdpaHost(), explicit))).toContain('VDPA_NOT_LIVE_MIGRATABLE');
  });
});
