import { describe, expect, it } from 'vitest';
import type { FleetCpu, FleetHost, FleetNic } from '@netpin/contracts';
import { driftFieldGroup, freeByNumaNode, rejectionReasonCodes, routeLabel } from './samples';

function cpu(id: number, numaNode: number, extra: Partial<FleetCpu> = {}): FleetCpu {
  return { id, socket: numaNode, core: id, numaNode, siblings: [id], reservedForHost: false, owner: null, ...extra };
}

function nic(name: string, numaNode: number, vfOwners: (string | null)[]): FleetNic {
  return {
    id: name,
    name,
    pciAddress: '0000:00:00.0',
    driver: null,
    numaNode,
    speedMbps: 25_000,
    mtu: null,
    maxMtu: null,
    combinedQueues: { current: 4, max: 4 },
    queueIrqs: [],
    sriovTotalVfs: vfOwners.length,
    sriovNumVfs: vfOwners.length,
    vdpaVfs: false,
    vfs: vfOwners.map((o, index) => ({ index, pciAddress: `0000:00:01.${index}`, state: o ? 'ALLOCATED' : 'FREE', ownerVmId: o })),
  };
}

function host(name: string, cpus: FleetCpu[], nics: FleetNic[], nodes = [0, 1]): FleetHost {
  return {
    id: name,
    name,
    state: 'READY',
    virtType: 'KVM',
    bridges: null,
    foreignDomains: [],
    pmdCpus: [],
    capabilities: { vmx: true, ept: true, iommu: true, kvm: true, vhostNet: true, ovs: true, ovsDpdk: false, vhostVdpa: false },
    numaNodes: nodes.map((index) => ({ index, memoryMiB: 1024, memoryFreeMiB: 1024, hugepages: [] })),
    cpus,
    nics,
  };
}

describe('freeByNumaNode', () => {
  it('counts CPUs that are neither reserved nor owned, and unowned VFs, per node', () => {
    const cpus = [
      cpu(0, 0, { reservedForHost: true }),
      cpu(1, 0, { owner: { vmId: 'vm-a', role: 'VCPU' } }),
      cpu(2, 0),
      cpu(3, 0),
      cpu(4, 1, { reservedForHost: true }),
      cpu(5, 1),
    ];
    const rows = freeByNumaNode({ hosts: [host('h1', cpus, [nic('ens1f0', 1, [null, 'vm-a', null]), nic('ens2f0', 1, [null])])] });
    expect(rows).toEqual([
      { host: 'h1', numaNode: 0, freeCpus: 2, freeVfs: 0 },
      { host: 'h1', numaNode: 1, freeCpus: 1, freeVfs: 3 },
    ]);
  });

  it('reports a node with nothing free as zero, and VFs of a NIC without NUMA affinity under -1', () => {
    const rows = freeByNumaNode({ hosts: [host('h2', [cpu(0, 0, { reservedForHost: true })], [nic('eno1', -1, [null, null])], [0])] });
    expect(rows).toEqual([
      { host: 'h2', numaNode: -1, freeCpus: 0, freeVfs: 2 },
      { host: 'h2', numaNode: 0, freeCpus: 0, freeVfs: 0 },
    ]);
  });
});

describe('rejectionReasonCodes', () => {
  it('uses the request-level reasons when there are any', () => {
    expect(
      rejectionReasonCodes({
        requestReasons: [
          { code: 'NETWORK_UNKNOWN', detail: 'a' },
          { code: 'NETWORK_UNKNOWN', detail: 'b' },
        ],
        summary: [{ code: 'NO_FREE_VF', hosts: 2, examples: [] }],
      }),
    ).toEqual(['NETWORK_UNKNOWN']);
  });

  it('else every summary code once', () => {
    expect(
      rejectionReasonCodes({
        requestReasons: [],
        summary: [
          { code: 'INSUFFICIENT_DEDICATED_CPUS', hosts: 3, examples: ['h1'] },
          { code: 'HOST_IN_MAINTENANCE', hosts: 1, examples: ['h2'] },
        ],
      }),
    ).toEqual(['INSUFFICIENT_DEDICATED_CPUS', 'HOST_IN_MAINTENANCE']);
  });
});

describe('label helpers', () => {
  it('groups drift fields by their first segment', () => {
    expect(driftFieldGroup('vf.ens1f0.3.vlan')).toBe('vf');
    expect(driftFieldGroup('domain.xml')).toBe('domain');
    expect(driftFieldGroup('Weird Field')).toBe('other');
  });

  it('labels requests by route pattern, never by raw URL', () => {
    expect(routeLabel({ route: { path: '/api/v1/vms/:id' }, baseUrl: '' }, 200)).toBe('/api/v1/vms/:id');
    expect(routeLabel({ baseUrl: '/graphql' }, 200)).toBe('/graphql');
    expect(routeLabel({}, 404)).toBe('unmatched');
    expect(routeLabel({}, 200)).toBe('static');
  });
});
