import { DATAPATH_REGISTRY, type FleetSnapshot } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { place } from '../api';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * Host "h1": 2 nodes x 4 cores x 2 threads. Node 0 = CPUs 0-3 + siblings 8-11,
 * node 1 = CPUs 4-7 + siblings 12-15. ens1f0 (SR-IOV) on node 1, eno1 on node 0.
 */
function host(spec: Partial<HostSpec> = {}): FleetSnapshot {
  return fleet()
    .host({
      name: 'h1',
      nics: [
        { name: 'ens1f0', node: 1, vfs: 4, queues: 4 },
        { name: 'eno1', node: 0, queues: 4 },
      ],
      ...spec,
    })
    .network('phys', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0'] } })
    .network('mvt', 'MACVTAP', { on: { h1: ['eno1'] } })
    .build();
}
const node1 = new Set([4, 5, 6, 7, 12, 13, 14, 15]);
const pinned = (p: ReturnType<typeof planOf>) => p.vcpuPins.flatMap((v) => v.cpus);

describe('SR-IOV NIC on node 1, numaPolicy REQUIRED', () => {
  const p = planOf(place(host(), vm({ vcpus: 4, interfaces: [{ network: 'phys' }] })));
  it('puts vCPUs, memory and the NIC IRQ CPUs on node 1', () => {
    expect(p.numaNodes).toEqual([1]);
    expect(pinned(p).every((c) => node1.has(c))).toBe(true);
    expect(p.memory).toMatchObject({ mode: 'strict', perNode: [{ node: 1, mib: 2048 }] });
    expect(p.ioCpus).toEqual([{ node: 1, cpus: [7, 15], newlyAllocated: true }]);
  });
  it('routes each PF queue IRQ to an I/O CPU that is not a vCPU ("two CPUs, not one")', () => {
    expect(p.irqAffinity.map((x) => x.cpus[0])).toEqual([7, 15, 7, 15]);
    expect(p.irqAffinity.every((x) => !pinned(p).includes(x.cpus[0]))).toBe(true);
    expect(p.rps).toHaveLength(4);
    expect(p.rps[0].cpus).toEqual([7, 15]);
  });
  it('pins vCPUs on sibling pairs under threadPolicy PREFER', () => {
    expect(pinned(p)).toEqual([4, 12, 5, 13]);
  });
});

describe('NIC on node 1, free cores only on node 0, numaPolicy PREFERRED', () => {
  it('places on node 0 and records the NUMA penalty', () => {
    const p = planOf(
      place(host({ busyCpus: [4, 5, 6, 12, 13, 14] }), vm({ vcpus: 4, numaPolicy: 'PREFERRED', interfaces: [{ network: 'phys' }] })),
    );
    expect(p.numaNodes).toEqual([0]);
    expect(p.interfaces[0].numaLocal).toBe(false);
    expect(p.penalties[0]).toMatch(/ens1f0 is on node 1/);
    expect(p.score.breakdown.find((b) => b.weigher === 'numa')?.value).toBe(-(1 + DATAPATH_REGISTRY.SRIOV.rank));
    // The PF's IRQs still go to its own node, on the CPUs left there.
    expect(p.ioCpus).toEqual([{ node: 1, cpus: [7, 15], newlyAllocated: true }]);
  });
});

describe('NICs on nodes 0 and 1, numaPolicy PREFERRED', () => {
  it('places with one remote interface instead of rejecting', () => {
    const p = planOf(place(host(), vm({ numaPolicy: 'PREFERRED', interfaces: [{ network: 'phys' }, { network: 'mvt' }] })));
    expect(p.numaNodes).toEqual([1]);
    expect(p.interfaces.map((i) => i.numaLocal)).toEqual([true, false]);
  });
});

describe('numaPolicy NONE, 12 vCPUs on nodes of 8 CPUs', () => {
  it('spans both nodes and interleaves memory', () => {
    const p = planOf(place(host(), vm({ vcpus: 12, numaPolicy: 'NONE' })));
    expect(p.numaNodes.sort()).toEqual([0, 1]);
    expect(new Set(pinned(p)).size).toBe(12);
    expect(p.memory.mode).toBe('interleave');
    expect(p.penalties.some((x) => x.includes('spans'))).toBe(true);
  });
});

describe('threadPolicy REQUIRE, 3 vCPUs', () => {
  it('uses one sibling pair plus one thread', () => {
    const p = planOf(place(host(), vm({ vcpus: 3, threadPolicy: 'REQUIRE', interfaces: [{ network: 'phys' }] })));
    expect(pinned(p).slice(0, 2)).toEqual([4, 12]);
  });
});

describe('threadPolicy ISOLATE, 2 vCPUs', () => {
  it('holds each vCPU core sibling idle', () => {
    const p = planOf(place(host(), vm({ vcpus: 2, threadPolicy: 'ISOLATE', interfaces: [{ network: 'phys' }] })));
    expect(pinned(p)).toEqual([4, 5]);
    expect(p.isolatedSiblings).toEqual([12, 13]);
    expect(p.allocation.cpus.filter((c) => c.role === 'ISOLATION').map((c) => c.cpu)).toEqual([12, 13]);
  });
});

describe('emulatorThreads ISOLATE', () => {
  it('gives the emulator its own CPU; SHARE runs it on the vCPUs', () => {
    const iso = planOf(place(host(), vm({ vcpus: 2, emulatorThreads: 'ISOLATE', interfaces: [{ network: 'phys' }] })));
    expect(iso.emulatorCpus).toHaveLength(1);
    expect(pinned(iso)).not.toContain(iso.emulatorCpus[0]);
    expect(iso.allocation.cpus.some((c) => c.role === 'EMULATOR')).toBe(true);
    const share = planOf(place(host(), vm({ vcpus: 2, interfaces: [{ network: 'phys' }] })));
    expect(share.emulatorCpus).toEqual([...pinned(share)].sort((a, b) => a - b));
  });
});

describe('vhost datapath', () => {
  it('runs vhost threads on the node I/O CPUs', () => {
    const p = planOf(place(host(), vm({ interfaces: [{ network: 'mvt' }] })));
    expect(p.vhostCpus).toEqual(p.ioCpus[0].cpus);
    expect(p.numaNodes).toEqual([0]);
  });
});

describe('cpuPolicy SHARED', () => {
  it('floats vCPUs over the node CPUs nobody holds, owning none', () => {
    const p = planOf(place(host(), vm({ vcpus: 3, cpuPolicy: 'SHARED', interfaces: [{ network: 'mvt' }] })));
    expect(p.vcpuPins).toHaveLength(3);
    expect(p.vcpuPins[0].cpus).toEqual([0, 1, 2, 8, 9, 10]);
    expect(p.allocation.cpus.every((c) => c.role === 'IRQ')).toBe(true);
    expect(p.allocation.sharedVcpus).toEqual([{ node: 0, vcpus: 3 }]);
  });
  it('fills a node up to CPUs x sharedCpuRatio', () => {
    const ok = place(host(), vm({ vcpus: 16, cpuPolicy: 'SHARED' }), { sharedCpuRatio: 2 });
    expect(planOf(ok).allocation.sharedVcpus[0].vcpus).toBe(16);
    expect(reasonsOf(place(host(), vm({ vcpus: 17, cpuPolicy: 'SHARED' }), { sharedCpuRatio: 2 }))).toContain(
      'INSUFFICIENT_SHARED_CPU_CAPACITY',
    );
  });
});

describe('the I/O share cap', () => {
  it('never gives IRQ/vhost work more than maxIoCpuShare of a node', () => {
    const p = planOf(place(host(), vm({ interfaces: [{ network: 'phys' }] }), { ioCpusPerNode: 6, maxIoCpuShare: 0.25 }));
    expect(p.ioCpus[0].cpus).toHaveLength(2);
  });
});

describe('reserved host CPUs', () => {
  it('are never pinned', () => {
    const p = planOf(place(host({ reservedCoresPerNode: 1 }), vm({ vcpus: 4, interfaces: [{ network: 'phys' }] })));
    expect(pinned(p)).not.toContain(4);
    expect(pinned(p)).not.toContain(12);
  });
});

describe('1G hugepages', () => {
  it('are taken from the NIC node pool', () => {
    const p = planOf(
      place(host({ hugepages1GPerNode: 4 }), vm({ memoryMiB: 2048, hugepages: 'SIZE_1G', interfaces: [{ network: 'phys' }] })),
    );
    expect(p.memory.pagesPerNode).toEqual([{ node: 1, pages: 2 }]);
    expect(p.allocation.hugepages).toEqual([{ node: 1, size: 'SIZE_1G', pages: 2 }]);
  });
});

describe('numaPolicy NONE, memory larger than a node, a PF with free VFs on each node (issue 13)', () => {
  // Node 0 is busier, so the emptiest node (1) gets the vCPUs; 100 GiB needs both nodes' memory.
  const snap = fleet()
    .host({
      name: 'h1',
      busyCpus: [0, 1, 8],
      nics: [
        { name: 'ens1f0', node: 0, vfs: 4 },
        { name: 'ens2f0', node: 1, vfs: 4 },
      ],
    })
    .network('physnet0', 'SRIOV_PHYSNET', { on: { h1: ['ens1f0', 'ens2f0'] } })
    .build();
  const p = planOf(place(snap, vm({ vcpus: 2, memoryMiB: 100 * 1024, numaPolicy: 'NONE', interfaces: [{ network: 'physnet0' }] })));

  it('takes the VF on the node holding the vCPUs, and says so truthfully', () => {
    expect(pinned(p).every((c) => node1.has(c))).toBe(true);
    expect(p.interfaces[0]).toMatchObject({ nicName: 'ens2f0', numaNode: 1, numaLocal: true });
    expect(p.numaNodes[0]).toBe(1);
  });
});

describe('numaPolicy NONE, vCPUs spread over both nodes (issue 13)', () => {
  it('reports no NIC as local: no node holds all the vCPUs', () => {
    const p = planOf(place(host(), vm({ vcpus: 12, numaPolicy: 'NONE', interfaces: [{ network: 'phys' }] })));
    expect(new Set(pinned(p).map((c) => (node1.has(c) ? 1 : 0))).size).toBe(2);
    expect(p.interfaces[0].numaLocal).toBe(false);
    expect(p.penalties.some((x) => x.includes('ens1f0'))).toBe(true);
  });
});
