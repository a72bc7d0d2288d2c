import type { FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { explain, place } from '../api';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf } from '../testing/results';

/** One host "h1": ens1f0 = SR-IOV PF (8 VFs, 4 queues) on node 1; eno1 = plain NIC (16 queues) on node 1 too. */
function oneHost(host: Partial<HostSpec> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      nics: [
        { name: 'ens1f0', node: 1, vfs: 8, queues: 4 },
        { name: 'eno1', node: 1, queues: 16 },
      ],
      ...host,
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 100 })
    .network('mvt', 'MACVTAP', { on: { h1: ['eno1'] }, macvtapMode: 'passthrough' })
    .network('lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br0' })
    .network('ovs', 'OVS_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br-int' })
    .build();
}

const iface = (snapshot: FleetSnapshot, input: Parameters<typeof vm>[0]) => planOf(place(snapshot, vm(input))).interfaces[0];

describe('AUTO on an SR-IOV physnet with a free VF, IOMMU on, VF driver in the guest', () => {
  it('takes a VF of the PF with hostdev, the network VLAN and 2 CPUs per flow', () => {
    const i = iface(oneHost(), { vcpus: 2, interfaces: [{ network: 'phys' }] });
    expect(i).toMatchObject({
      datapath: 'SRIOV',
      connection: 'HOSTDEV',
      nicName: 'ens1f0',
      vf: { index: 0 },
      vlan: 100,
      failoverBackup: null,
    });
    expect(i.cost).toMatchObject({ cpusPerFlow: 2, exitsPerPacket: 'NONE' });
  });
});

describe('AUTO SR-IOV for a live-migratable interface', () => {
  it('pairs the VF with a vhost macvtap virtio backup on the same PF (libvirt teaming)', () => {
    const i = iface(oneHost(), { interfaces: [{ network: 'phys', liveMigratable: true }] });
    expect(i.datapath).toBe('SRIOV');
    expect(i.failoverBackup).toMatchObject({
      datapath: 'VHOST_MACVTAP',
      connection: 'MACVTAP',
      sourceDevice: 'ens1f0',
      model: 'virtio',
      vhost: true,
    });
  });
});

describe('AUTO on an SR-IOV physnet whose VFs are all taken', () => {
  it('falls back to vhost-net over macvtap on the PF', () => {
    const snapshot = oneHost({
      nics: [
        { name: 'ens1f0', node: 1, vfs: 2, takenVfs: [0, 1] },
        { name: 'eno1', node: 1 },
      ],
    });
    expect(iface(snapshot, { interfaces: [{ network: 'phys' }] })).toMatchObject({
      datapath: 'VHOST_MACVTAP',
      sourceDevice: 'ens1f0',
      vf: null,
    });
  });
});

describe('AUTO on an SR-IOV physnet with the IOMMU off', () => {
  it('uses macvtap on the PF instead of a VF', () => {
    expect(iface(oneHost({ caps: { iommu: false } }), { interfaces: [{ network: 'phys' }] }).datapath).toBe('VHOST_MACVTAP');
  });
});

describe('AUTO on an SR-IOV physnet for a guest without a VF driver', () => {
  it('uses macvtap on the PF', () => {
    expect(iface(oneHost(), { guest: { virtio: true, vfDriver: false }, interfaces: [{ network: 'phys' }] }).datapath).toBe(
      'VHOST_MACVTAP',
    );
  });
});

describe('AUTO on a MACVTAP network', () => {
  it('is vhost-net over macvtap in the network mode, multiqueue = vCPUs', () => {
    const i = iface(oneHost(), { vcpus: 6, interfaces: [{ network: 'mvt' }] });
    expect(i).toMatchObject({
      datapath: 'VHOST_MACVTAP',
      connection: 'MACVTAP',
      macvtapMode: 'passthrough',
      sourceDevice: 'eno1',
      queues: 6,
      vhost: true,
    });
  });
});

describe('AUTO on a Linux bridge network', () => {
  it('is vhost-net over the bridge, queues capped at 8', () => {
    const i = iface(oneHost(), { vcpus: 12, numaPolicy: 'NONE', interfaces: [{ network: 'lbr' }] });
    expect(i).toMatchObject({ datapath: 'VHOST_BRIDGE', connection: 'BRIDGE', sourceDevice: 'br0', queues: 8 });
  });
});

describe('AUTO on an OVS network', () => {
  it('is vhost-net over OVS', () => {
    expect(iface(oneHost(), { interfaces: [{ network: 'ovs' }] })).toMatchObject({
      datapath: 'VHOST_OVS',
      connection: 'OVS',
      sourceDevice: 'br-int',
    });
  });
});

describe('AUTO on a host without /dev/vhost-net', () => {
  it('is virtio in QEMU user space, costing 3 CPUs per flow', () => {
    const i = iface(oneHost({ caps: { vhostNet: false } }), { interfaces: [{ network: 'lbr' }] });
    expect(i).toMatchObject({ datapath: 'VIRTIO_USERSPACE', model: 'virtio', vhost: false });
    expect(i.cost.cpusPerFlow).toBe(3);
  });
});

describe('AUTO for a guest without virtio', () => {
  it('emulates an e1000 with a single queue', () => {
    const i = iface(oneHost(), { vcpus: 4, guest: { virtio: false, vfDriver: false }, interfaces: [{ network: 'lbr' }] });
    expect(i).toMatchObject({ datapath: 'E1000', model: 'e1000', queues: 1 });
    expect(i.cost).toMatchObject({ cpusPerFlow: 3, exitsPerPacket: 'MANY' });
  });
});

describe('explicit RTL8139', () => {
  it('is honoured (AUTO never picks it)', () => {
    expect(iface(oneHost(), { interfaces: [{ network: 'mvt', datapath: 'RTL8139' }] })).toMatchObject({
      datapath: 'RTL8139',
      model: 'rtl8139',
      connection: 'MACVTAP',
    });
  });
});

describe('explicit VIRTIO_USERSPACE on a host that has vhost-net', () => {
  it('is honoured over the faster choice', () => {
    expect(iface(oneHost(), { interfaces: [{ network: 'ovs', datapath: 'VIRTIO_USERSPACE' }] }).datapath).toBe('VIRTIO_USERSPACE');
  });
});

describe('an SR-IOV interface (issue 13)', () => {
  it('is reported as the VF itself: no virtio model, no queue count netpin does not set', () => {
    expect(iface(oneHost(), { vcpus: 6, interfaces: [{ network: 'phys' }] })).toMatchObject({
      datapath: 'SRIOV',
      model: 'vf',
      queues: null,
    });
  });
  it('keeps virtio multiqueue for its failover backup, bounded by the PF queues', () => {
    const i = iface(oneHost(), { vcpus: 6, interfaces: [{ network: 'phys', liveMigratable: true }] });
    expect(i.failoverBackup).toMatchObject({ datapath: 'VHOST_MACVTAP', model: 'virtio', queues: 4 });
  });
});

describe('two SR-IOV interfaces on one PF', () => {
  it('get two different VFs', () => {
    const p = planOf(place(oneHost(), vm({ interfaces: [{ network: 'phys' }, { network: 'phys' }] })));
    expect(p.interfaces.map((i) => i.vf?.index)).toEqual([0, 1]);
    expect(p.allocation.vfs).toHaveLength(2);
  });
});

describe('interface MAC and VLAN', () => {
  it('keeps a requested MAC and VLAN, and generates a stable QEMU MAC otherwise', () => {
    const p = planOf(place(oneHost(), vm({ interfaces: [{ network: 'phys', mac: '52:54:00:AA:BB:CC', vlan: 7 }, { network: 'lbr' }] })));
    expect(p.interfaces[0]).toMatchObject({ mac: '52:54:00:aa:bb:cc', vlan: 7 });
    expect(p.interfaces[1].mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(planOf(place(oneHost(), vm({ interfaces: [{ network: 'phys' }, { network: 'lbr' }] }))).interfaces[1].mac).toBe(
      p.interfaces[1].mac,
    );
  });
});

describe('live-migratable SR-IOV on a host without vhost-net', () => {
  it('falls back to a QEMU user-space virtio backup', () => {
    const i = iface(oneHost({ caps: { vhostNet: false } }), { interfaces: [{ network: 'phys', liveMigratable: true }] });
    expect(i.datapath).toBe('SRIOV');
    expect(i.failoverBackup).toMatchObject({ datapath: 'VIRTIO_USERSPACE', vhost: false });
  });
});

describe('a NIC that reports no NUMA node', () => {
  it('counts as local to whichever node the VM gets', () => {
    const snapshot = fleet()
      .host({ name: 'h1', nics: [{ name: 'eno1', node: -1 }] })
      .network('mvt', 'MACVTAP', { on: { h1: ['eno1'] } })
      .build();
    const p = planOf(place(snapshot, vm({ interfaces: [{ network: 'mvt' }] })));
    expect(p.interfaces[0]).toMatchObject({ numaLocal: true, numaNode: null });
    expect(p.ioCpus[0].node).toBe(p.numaNodes[0]);
  });
});

describe('a bridge network mapped without an uplink NIC', () => {
  it('places anywhere, with vhost threads on the emulator CPUs and no IRQ work', () => {
    const snapshot = fleet()
      .host({ name: 'h1' })
      .network('internal', 'LINUX_BRIDGE', { on: { h1: [] } })
      .build();
    const p = planOf(place(snapshot, vm({ interfaces: [{ network: 'internal' }] })));
    expect(p.interfaces[0]).toMatchObject({ datapath: 'VHOST_BRIDGE', nicId: null });
    expect(p.ioCpus).toEqual([]);
    expect(p.vhostCpus).toEqual(p.emulatorCpus);
  });
});

describe('minBandwidthMbps on a VF follows what the PF driver can do (VF_DRIVER_CAPABILITIES)', () => {
  const withDriver = (driver: string | null) =>
    oneHost({
      nics: [
        { name: 'ens1f0', node: 1, vfs: 8, queues: 4, driver },
        { name: 'eno1', node: 1, queues: 16 },
      ],
    });

  it.each(['ixgbe', 'i40e', 'igb'])('%s refuses min_tx_rate: AUTO takes macvtap on the PF instead of a VF', (driver) => {
    const i = iface(withDriver(driver), { interfaces: [{ network: 'phys', minBandwidthMbps: 500 }] });
    expect(i).toMatchObject({ datapath: 'VHOST_MACVTAP', nicName: 'ens1f0', vf: null, minBandwidthMbps: 500 });
  });

  it.each(['ice', 'mlx5_core', 'bnxt_en', null])('%s gives a VF a minimum rate', (driver) => {
    const i = iface(withDriver(driver), { interfaces: [{ network: 'phys', minBandwidthMbps: 500 }] });
    expect(i).toMatchObject({ datapath: 'SRIOV', vf: { index: 0 } });
  });

  it('an ixgbe VF without a minimum rate is fine', () => {
    expect(iface(withDriver('ixgbe'), { interfaces: [{ network: 'phys' }] })).toMatchObject({ datapath: 'SRIOV' });
  });

  it('explicit SR-IOV is refused with the driver, the knob and the field named', () => {
    const r = place(withDriver('ixgbe'), vm({ interfaces: [{ network: 'phys', datapath: 'SRIOV', minBandwidthMbps: 500 }] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.summary.map((s) => s.code)).toEqual(['VF_DRIVER_LACKS_MIN_TX_RATE']);
    const why = explain(withDriver('ixgbe'), vm({ interfaces: [{ network: 'phys', datapath: 'SRIOV', minBandwidthMbps: 500 }] }), 'h1');
    expect(why.reasons).toContainEqual({
      code: 'VF_DRIVER_LACKS_MIN_TX_RATE',
      detail: "interface 0 (phys): ens1f0's driver ixgbe refuses VF min_tx_rate (EINVAL), needed for minBandwidthMbps 500",
    });
  });
});

describe("a network's bridge must exist on the host (Host.bridges from discovery)", () => {
  const withBridges = (bridges: HostSpec['bridges']) => oneHost({ bridges });

  it('places on a host that has the Linux bridge, and on one whose bridges are not known yet', () => {
    expect(iface(withBridges([{ name: 'br0', kind: 'LINUX' }]), { interfaces: [{ network: 'lbr' }] })).toMatchObject({
      sourceDevice: 'br0',
    });
    expect(iface(oneHost(), { interfaces: [{ network: 'lbr' }] })).toMatchObject({ sourceDevice: 'br0' });
  });

  it('refuses a host without it, or with a bridge of that name of the other kind, naming what it found', () => {
    const why = (bridges: HostSpec['bridges'], network: string) =>
      explain(withBridges(bridges), vm({ interfaces: [{ network }] }), 'h1').reasons;
    expect(why([{ name: 'br1', kind: 'LINUX' }], 'lbr')).toEqual([
      { code: 'BRIDGE_NOT_ON_HOST', detail: 'interface 0 (lbr): h1 has no Linux bridge br0 (found: br1)' },
    ]);
    expect(why([{ name: 'br-int', kind: 'LINUX' }], 'ovs')).toEqual([
      { code: 'BRIDGE_NOT_ON_HOST', detail: 'interface 0 (ovs): h1 has no OVS bridge br-int (found: none)' },
    ]);
  });

  it('picks the host that has the bridge', () => {
    const snapshot = fleet()
      .host({ name: 'h1', nics: [{ name: 'eno1', node: 0 }], bridges: [] })
      .host({ name: 'h2', nics: [{ name: 'eno1', node: 0 }], bridges: [{ name: 'br0', kind: 'LINUX' }] })
      .network('lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'], h2: ['eno1'] }, bridge: 'br0' })
      .build();
    expect(planOf(place(snapshot, vm({ interfaces: [{ network: 'lbr' }] }))).hostName).toBe('h2');
  });
});
