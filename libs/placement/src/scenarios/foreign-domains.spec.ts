import { pciAddressSchema } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { place } from '../api';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * Domains netpin did not define (Host.foreignDomains from discovery): the CPUs they are
 * pinned to and the VFs passed through to them are someone else's. One node, 4 cores x 1
 * thread, core 0 reserved for the host; ens1f0 with 2 VFs (PCI 0000:90:00.0 and .1).
 */
function host(foreignDomains: { name: string; cpus: number[]; pciDevices: string[] }[]) {
  return fleet()
    .host({
      name: 'h1',
      nodes: 1,
      coresPerNode: 4,
      threadsPerCore: 1,
      reservedCoresPerNode: 1,
      nics: [{ name: 'ens1f0', node: 0, vfs: 2 }],
      foreignDomains: foreignDomains.map((d) => ({ ...d, pciDevices: d.pciDevices.map((p) => pciAddressSchema.parse(p)) })),
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
    .build();
}

describe('foreign domains', () => {
  const vf0 = () => host([]).hosts[0].nics[0].vfs[0].pciAddress;

  it('their pinned CPUs are not given to a netpin VM', () => {
    const plan = planOf(place(host([{ name: 'legacy', cpus: [1, 2], pciDevices: [] }]), vm({ vcpus: 1 })));
    expect(plan.vcpuPins.flatMap((p) => p.cpus)).toEqual([3]);
    expect(reasonsOf(place(host([{ name: 'legacy', cpus: [1, 2], pciDevices: [] }]), vm({ vcpus: 2 })))).toContain(
      'INSUFFICIENT_DEDICATED_CPUS',
    );
  });

  it('a VF passed through to one is not free', () => {
    const taken = host([{ name: 'legacy', cpus: [], pciDevices: [vf0()] }]);
    const i = planOf(place(taken, vm({ vcpus: 1, interfaces: [{ network: 'phys', datapath: 'SRIOV' }] }))).interfaces[0];
    expect(i.vf?.index).toBe(1);
    const both = host([{ name: 'legacy', cpus: [], pciDevices: [vf0(), taken.hosts[0].nics[0].vfs[1].pciAddress] }]);
    expect(reasonsOf(place(both, vm({ vcpus: 1, interfaces: [{ network: 'phys', datapath: 'SRIOV' }] })))).toEqual(['NO_FREE_VF']);
  });
});
