import type { FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { capacity, explain, place } from '../api';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * VLAN trunks and 802.1ad (docs/placement.md "VLANs"). Host "h1": OVS-DPDK with a netdev
 * bridge br-dpdk and a system bridge br-ovs, 2M pages; ens1f0 an SR-IOV PF of `driver`
 * (4 VFs) on node 0, eno1 a plain NIC.
 */
function oneHost(driver = 'ice'): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      caps: { ovsDpdk: true },
      pmdCpus: [1],
      hugepages2MPerNode: 2048,
      bridges: [
        { name: 'br-dpdk', kind: 'OVS', datapathType: 'netdev' },
        { name: 'br-ovs', kind: 'OVS', datapathType: 'system' },
        { name: 'br0', kind: 'LINUX' },
      ],
      nics: [
        { name: 'ens1f0', node: 0, vfs: 4, driver },
        { name: 'eno1', node: 0 },
      ],
    })
    .network('trunk-ovs', 'OVS_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br-ovs', trunkVlans: [20, 10], nativeVlan: 30 })
    .network('trunk-dpdk', 'OVS_BRIDGE', {
      on: { h1: ['eno1'] },
      bridge: 'br-dpdk',
      trunkVlans: [10],
      nativeVlan: 10,
      nativeVlanMode: 'TAGGED',
    })
    .network('trunk-lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br0', trunkVlans: [10, 20] })
    .network('trunk-phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, trunkVlans: [10, 20] })
    .network('qinq', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, vlan: 100, vlanProtocol: 'DOT1AD' })
    .build();
}

describe('VLAN trunks go where an Open vSwitch port carries them', () => {
  it('AUTO on a system OVS bridge: vhost-net on OVS with the trunk, the native VLAN among its VLANs', () => {
    const i = planOf(place(oneHost(), vm({ interfaces: [{ network: 'trunk-ovs' }] }))).interfaces[0];
    expect(i.datapath).toBe('VHOST_OVS');
    expect(i.trunk).toEqual({ vlans: [10, 20, 30], native: { vlan: 30, mode: 'UNTAGGED' } });
    expect(i.vlan).toBeNull();
  });

  it('vhost-user on the netdev bridge carries it too (the agent sets the port), native mode TAGGED kept', () => {
    const r = place(oneHost(), vm({ hugepages: 'SIZE_2M', interfaces: [{ network: 'trunk-dpdk' }] }));
    const i = planOf(r).interfaces[0];
    expect(i.datapath).toBe('VHOST_USER');
    expect(i.trunk).toEqual({ vlans: [10], native: { vlan: 10, mode: 'TAGGED' } });
  });

  it("an interface's own vlan makes it an access port: no trunk in the plan, and a Linux bridge takes it", () => {
    const i = planOf(place(oneHost(), vm({ interfaces: [{ network: 'trunk-lbr', vlan: 10 }] }))).interfaces[0];
    expect(i).toMatchObject({ datapath: 'VHOST_BRIDGE', vlan: 10, trunk: null });
  });

  it('a Linux bridge trunk is refused request-level, for AUTO and for an explicit datapath alike', () => {
    expect(reasonsOf(place(oneHost(), vm({ interfaces: [{ network: 'trunk-lbr' }] })))).toEqual(['VLAN_TRUNK_UNSUPPORTED']);
    const r = place(oneHost(), vm({ interfaces: [{ network: 'trunk-ovs', datapath: 'VHOST_BRIDGE' }] }));
    expect(reasonsOf(r)).toEqual(['DATAPATH_NOT_SUPPORTED_BY_NETWORK']);
  });

  it('on an SR-IOV physnet trunk AUTO has neither a VF nor macvtap: refused; explain says why on the host', () => {
    const request = vm({ interfaces: [{ network: 'trunk-phys' }] });
    const r = place(oneHost(), request);
    expect(reasonsOf(r)).toEqual(['VLAN_TRUNK_UNSUPPORTED']);
    if (r.ok) return;
    expect(r.rejection.requestReasons[0].detail).toContain('SRIOV cannot carry trunk-phys');
    expect(explain(oneHost(), request, 'h1')).toMatchObject({ fits: false, reasons: [{ code: 'VLAN_TRUNK_UNSUPPORTED' }] });
    expect(capacity(oneHost(), request)).toMatchObject({ total: 0, requestReasons: [{ code: 'VLAN_TRUNK_UNSUPPORTED' }] });
  });
});

describe('802.1ad (QinQ) only on a VF whose PF driver tags it', () => {
  it('ice (depends on double VLAN mode: not refused in advance) gets a VF, the plan keeps the protocol', () => {
    const i = planOf(place(oneHost('ice'), vm({ interfaces: [{ network: 'qinq' }] }))).interfaces[0];
    expect(i).toMatchObject({ datapath: 'SRIOV', vlan: 100, vlanProtocol: 'DOT1AD' });
  });

  it('mlx5_core refuses 802.1ad: AUTO has nothing else (macvtap tags 802.1Q only), VF_DRIVER_LACKS_8021AD', () => {
    const request = vm({ interfaces: [{ network: 'qinq' }] });
    expect(reasonsOf(place(oneHost('mlx5_core'), request))).toEqual(['VF_DRIVER_LACKS_8021AD']);
    const why = explain(oneHost('mlx5_core'), request, 'h1');
    expect(why.reasons[0].detail).toBe(
      "interface 0 (qinq): ens1f0's driver mlx5_core refuses VF vlan … proto 802.1ad (EPROTONOSUPPORT), needed for vlanProtocol 802.1ad",
    );
    expect(capacity(oneHost('mlx5_core'), request)).toMatchObject({ total: 0, refusals: [{ code: 'VF_DRIVER_LACKS_8021AD', hosts: 1 }] });
  });

  it('the same PF takes a VF on an 802.1Q network, and macvtap asked on the 802.1ad one is refused', () => {
    expect(capacity(oneHost('mlx5_core'), vm({ interfaces: [{ network: 'trunk-phys', vlan: 7 }] })).total).toBeGreaterThan(0);
    const r = place(oneHost('ice'), vm({ interfaces: [{ network: 'qinq', datapath: 'VHOST_MACVTAP' }] }));
    expect(reasonsOf(r)).toEqual(['VLAN_PROTOCOL_UNSUPPORTED']);
  });
});
