import type { FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, capacity, explain, place } from '../api';
import { fleet, vm, type NicSpec } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * Bandwidth and MTU (docs/placement.md "Bandwidth and MTU"). Host "h1": two 25 Gb/s NICs on
 * node 0, ens1f0 an mlx5 PF with 4 VFs, eno1 a plain NIC; a jumbo network (MTU 9000) on each.
 */
function oneHost(nics?: NicSpec[]): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      nics: nics ?? [
        { name: 'ens1f0', node: 0, vfs: 4, driver: 'mlx5_core', mtu: 9000, maxMtu: 9702 },
        { name: 'eno1', node: 0, mtu: 9000, maxMtu: 9702 },
      ],
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] }, mtu: 9000 })
    .network('mvt', 'MACVTAP', { on: { h1: ['eno1'] } })
    .network('lbr', 'LINUX_BRIDGE', { on: { h1: ['eno1'] }, bridge: 'br0', mtu: 9000 })
    .network('both', 'LINUX_BRIDGE', { on: { h1: ['ens1f0', 'eno1'] }, bridge: 'br1', mtu: 9000 })
    .build();
}

describe('minimum bandwidth is reserved from the chosen NIC', () => {
  it('two interfaces of one VM asking 15 Gb/s each of one 25 Gb/s NIC: rejected NIC_BANDWIDTH_EXHAUSTED', () => {
    const r = place(oneHost(), vm({ interfaces: [15_000, 15_000].map((m) => ({ network: 'mvt', minBandwidthMbps: m })) }));
    expect(reasonsOf(r)).toEqual(['NIC_BANDWIDTH_EXHAUSTED']);
  });

  it('a second VM gets what the first left: 15 Gb/s placed, then 10 Gb/s fits and 10.001 does not', () => {
    const s = oneHost();
    const first = planOf(place(s, vm({ name: 'a', interfaces: [{ network: 'mvt', minBandwidthMbps: 15_000 }] })));
    expect(first.allocation.bandwidth).toEqual([{ nicId: 'h1/eno1', mbps: 15_000 }]);
    const after = applyPlan(s, first);
    expect(place(after, vm({ name: 'b', interfaces: [{ network: 'mvt', minBandwidthMbps: 10_000 }] })).ok).toBe(true);
    const why = explain(after, vm({ name: 'c', interfaces: [{ network: 'mvt', minBandwidthMbps: 10_001 }] }), 'h1');
    expect(why.reasons).toContainEqual({
      code: 'NIC_BANDWIDTH_EXHAUSTED',
      detail: 'interface 0 (mvt): eno1 has 10000 Mb/s unpromised, 10001 asked',
    });
  });

  it('on a network two NICs carry, a minimum that no longer fits the first goes to the second', () => {
    const s = oneHost();
    const a = planOf(place(s, vm({ name: 'a', interfaces: [{ network: 'both', minBandwidthMbps: 20_000 }] })));
    const b = planOf(place(applyPlan(s, a), vm({ name: 'b', interfaces: [{ network: 'both', minBandwidthMbps: 20_000 }] })));
    expect([a.interfaces[0].nicName, b.interfaces[0].nicName].sort()).toEqual(['eno1', 'ens1f0']);
  });

  it('the maximum is carried to the plan and reserves nothing', () => {
    const p = planOf(place(oneHost(), vm({ interfaces: [{ network: 'mvt', minBandwidthMbps: 1_000, maxBandwidthMbps: 40_000 }] })));
    expect(p.interfaces[0]).toMatchObject({ minBandwidthMbps: 1_000, maxBandwidthMbps: 40_000 });
    expect(p.allocation.bandwidth).toEqual([{ nicId: 'h1/eno1', mbps: 1_000 }]);
  });

  it('capacity counts how many VMs of a shape the NICs still have bandwidth for', () => {
    const shape = vm({ vcpus: 1, cpuPolicy: 'SHARED', interfaces: [{ network: 'mvt', minBandwidthMbps: 10_000 }] });
    expect(capacity(oneHost(), shape).total).toBe(2);
  });
});

describe('network MTU against the NICs that carry it', () => {
  it('MTU 9000 on NICs at 9000: placed, and the plan carries the MTU', () => {
    const p = planOf(place(oneHost(), vm({ interfaces: [{ network: 'lbr' }, { network: 'phys' }] })));
    expect(p.interfaces.map((i) => [i.datapath, i.mtu])).toEqual([
      ['VHOST_BRIDGE', 9000],
      ['SRIOV', 9000],
    ]);
  });

  it('a network without an MTU does not look at the NIC: null in the plan', () => {
    const p = planOf(
      place(
        oneHost([
          { name: 'ens1f0', node: 0 },
          { name: 'eno1', node: 0, mtu: 1500, maxMtu: 1500 },
        ]),
        vm({ interfaces: [{ network: 'mvt' }] }),
      ),
    );
    expect(p.interfaces[0].mtu).toBeNull();
  });

  it('VF of a PF at MTU 1500 on a jumbo network: rejected NIC_MTU_BELOW_NETWORK (a VF cannot exceed its PF)', () => {
    const s = oneHost([
      { name: 'ens1f0', node: 0, vfs: 4, mtu: 1500, maxMtu: 9702 },
      { name: 'eno1', node: 0, mtu: 9000, maxMtu: 9702 },
    ]);
    const why = explain(s, vm({ interfaces: [{ network: 'phys' }] }), 'h1');
    expect(why.reasons).toContainEqual({
      code: 'NIC_MTU_BELOW_NETWORK',
      detail: 'interface 0 (phys): ens1f0 has MTU 1500, the network 9000',
    });
  });

  it('a NIC whose driver takes at most 1500: NIC_MAX_MTU_BELOW_NETWORK, before its current MTU is looked at', () => {
    const s = oneHost([
      { name: 'ens1f0', node: 0, vfs: 4, mtu: 9000, maxMtu: 9702 },
      { name: 'eno1', node: 0, mtu: 1500, maxMtu: 1500 },
    ]);
    expect(reasonsOf(place(s, vm({ interfaces: [{ network: 'lbr' }] })))).toEqual(['NIC_MAX_MTU_BELOW_NETWORK']);
  });

  it('of two NICs carrying a jumbo network, only the one at its MTU is used', () => {
    const s = oneHost([
      { name: 'ens1f0', node: 0, vfs: 4, mtu: 9000, maxMtu: 9702 },
      { name: 'eno1', node: 0, mtu: 1500, maxMtu: 9702 },
    ]);
    const p = planOf(place(s, vm({ interfaces: [{ network: 'both' }] })));
    expect(p.interfaces[0]).toMatchObject({ nicName: 'ens1f0', mtu: 9000 });
  });
});
