import { NETWORK_KINDS, type FleetSnapshot, type PlacementPlan, type VmRequest } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan, capacity, place, releaseVm } from './api';
import { PlacementIndex } from './engine';
import { evaluateHost } from './evaluate';
import { fleet, vm, type HostSpec } from './testing/fleet-builder';

const NETS = ['n0', 'n1', 'n2'];

const hostArb = fc.record({
  nodes: fc.integer({ min: 1, max: 2 }),
  coresPerNode: fc.integer({ min: 2, max: 4 }),
  threadsPerCore: fc.integer({ min: 1, max: 2 }),
  reservedCoresPerNode: fc.integer({ min: 0, max: 1 }),
  memoryMiBPerNode: fc.constantFrom(4096, 8192, 16384),
  hugepages2MPerNode: fc.constantFrom(0, 2048),
  caps: fc.record({ iommu: fc.boolean(), vhostNet: fc.boolean(), ovs: fc.boolean() }),
  state: fc.constantFrom('READY', 'READY', 'READY', 'MAINTENANCE') as fc.Arbitrary<HostSpec['state']>,
  nicNodes: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
  vfs: fc.integer({ min: 0, max: 3 }),
});

const fleetArb = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 1, maxLength: 4 }),
    kinds: fc.tuple(...NETS.map(() => fc.constantFrom(...NETWORK_KINDS))),
    maps: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 })), {
      maxLength: 10,
    }),
  })
  .map(({ hosts, kinds, maps }): FleetSnapshot => {
    const b = fleet();
    hosts.forEach((h, i) => {
      const { nicNodes, vfs, ...rest } = h;
      b.host({
        name: `h${i}`,
        ...rest,
        nics: [
          { name: 'pf0', node: Math.min(nicNodes[0], h.nodes - 1), vfs, queues: 4 },
          { name: 'eth1', node: Math.min(nicNodes[1], h.nodes - 1), queues: 2 },
        ],
      });
    });
    NETS.forEach((n, ni) => {
      const on: Record<string, string[]> = {};
      for (const [hi, net, nic] of maps) if (net === ni && hi < hosts.length) on[`h${hi}`] = [nic === 0 ? 'pf0' : 'eth1'];
      b.network(n, kinds[ni], { on });
    });
    return b.build();
  });

const requestArb = (name: string) =>
  fc
    .record({
      vcpus: fc.integer({ min: 1, max: 5 }),
      memoryMiB: fc.constantFrom(512, 1024, 2048),
      hugepages: fc.constantFrom('NONE', 'NONE', 'SIZE_2M') as fc.Arbitrary<'NONE' | 'SIZE_2M'>,
      cpuPolicy: fc.constantFrom('DEDICATED', 'DEDICATED', 'SHARED') as fc.Arbitrary<'DEDICATED' | 'SHARED'>,
      threadPolicy: fc.constantFrom('PREFER', 'ISOLATE', 'REQUIRE') as fc.Arbitrary<'PREFER' | 'ISOLATE' | 'REQUIRE'>,
      emulatorThreads: fc.constantFrom('SHARE', 'ISOLATE') as fc.Arbitrary<'SHARE' | 'ISOLATE'>,
      numaPolicy: fc.constantFrom('REQUIRED', 'PREFERRED', 'NONE') as fc.Arbitrary<'REQUIRED' | 'PREFERRED' | 'NONE'>,
      guest: fc.record({ virtio: fc.boolean(), vfDriver: fc.boolean() }),
      interfaces: fc.array(fc.record({ network: fc.constantFrom(...NETS), liveMigratable: fc.boolean() }), { maxLength: 2 }),
    })
    .map((r): VmRequest => {
      const shared = r.cpuPolicy === 'SHARED';
      return vm({ ...r, name, threadPolicy: shared ? 'PREFER' : r.threadPolicy, emulatorThreads: shared ? 'SHARE' : r.emulatorThreads });
    });

const scenarioArb = fc
  .record({ snapshot: fleetArb, requests: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }) })
  .chain(({ snapshot, requests }) =>
    fc.record({ snapshot: fc.constant(snapshot), requests: fc.tuple(...requests.map((_, i) => requestArb(`vm${i}`))) }),
  );

// PLACEMENT_PROPERTY_RUNS raises the count for a deeper local hunt; CI keeps it quick.
const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 60) };

/** Place every request in order, applying each plan; returns the final snapshot and plans. */
function placeAll(snapshot: FleetSnapshot, requests: VmRequest[]) {
  let s = snapshot;
  const plans = [];
  for (const r of requests) {
    const res = place(s, r);
    if (!res.ok) continue;
    plans.push(res.plan);
    s = applyPlan(s, res.plan);
  }
  return { snapshot: s, plans };
}

function checkConsistency(s: FleetSnapshot): void {
  const cpuSeen = new Set<string>();
  const vfSeen = new Set<string>();
  for (const a of s.allocations) {
    for (const c of a.cpus) {
      const k = `${a.hostId}/${c.cpu}`;
      expect(cpuSeen.has(k), `CPU ${k} allocated twice`).toBe(false);
      cpuSeen.add(k);
    }
    for (const v of a.vfs) {
      const k = `${v.nicId}/${v.vfIndex}`;
      expect(vfSeen.has(k), `VF ${k} allocated twice`).toBe(false);
      vfSeen.add(k);
    }
  }
  for (const h of s.hosts) {
    for (const n of h.numaNodes) {
      expect(n.memoryFreeMiB).toBeGreaterThanOrEqual(0);
      for (const p of n.hugepages) expect(p.free).toBeGreaterThanOrEqual(0);
      const unowned = h.cpus.filter((c) => c.numaNode === n.index && !c.reservedForHost && c.owner === null).length;
      const shared = s.allocations
        .filter((a) => a.hostId === h.id)
        .flatMap((a) => a.sharedVcpus)
        .filter((x) => x.node === n.index)
        .reduce((t, x) => t + x.vcpus, 0);
      expect(shared).toBeLessThanOrEqual(unowned * 4);
    }
    for (const c of h.cpus) if (c.reservedForHost) expect(c.owner).toBeNull();
  }
}

describe('placement invariants over random fleets and requests', () => {
  it('never allocates a CPU or VF twice, never overcommits memory or the shared pool', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => checkConsistency(placeAll(snapshot, requests).snapshot)),
      RUNS,
    );
  });

  it('keeps every pinned CPU and the memory of a REQUIRED VM on its one node', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const { snapshot: s, plans } = placeAll(snapshot, requests);
        for (const p of plans.filter((x) => x.numaPolicy === 'REQUIRED')) {
          const host = s.hosts.find((h) => h.id === p.hostId);
          const nodeOf = new Map(host?.cpus.map((c) => [c.id, c.numaNode]));
          expect(p.numaNodes).toHaveLength(1);
          const held = p.allocation.cpus.filter((c) => c.role !== 'IRQ').map((c) => c.cpu);
          for (const c of held) expect(nodeOf.get(c)).toBe(p.numaNodes[0]);
          for (const m of p.memory.perNode) expect(m.node).toBe(p.numaNodes[0]);
          for (const i of p.interfaces) if (i.numaNode !== null) expect(i.numaNode).toBe(p.numaNodes[0]);
        }
      }),
      RUNS,
    );
  });

  it('never routes a NIC IRQ to any VM vCPU on that host', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const { snapshot: s, plans } = placeAll(snapshot, requests);
        for (const p of plans) {
          const vcpus = new Set(
            s.allocations.filter((a) => a.hostId === p.hostId).flatMap((a) => a.cpus.filter((c) => c.role !== 'IRQ').map((c) => c.cpu)),
          );
          for (const irq of p.irqAffinity) for (const c of irq.cpus) expect(vcpus.has(c)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic and the index answers like the pure function', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const a = placeAll(snapshot, requests);
        const b = placeAll(snapshot, requests);
        expect(b).toEqual(a);
        const idx = new PlacementIndex(snapshot);
        const viaIndex = [];
        for (const r of requests) {
          const res = idx.place(r);
          if (!res.ok) continue;
          idx.apply(res.plan);
          viaIndex.push(res.plan);
        }
        expect(viaIndex).toEqual(a.plans);
      }),
      RUNS,
    );
  });

  it('finds the best score a full scan of every host would find (pruning is exact)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const idx = new PlacementIndex(snapshot);
        for (const r of requests) {
          const prep = idx.prepare(r);
          let bestScore = -Infinity;
          if (prep.requestReasons.length === 0) {
            for (const h of idx.hostRts()) {
              const ev = evaluateHost(idx.ctx, h, prep, false);
              if (ev.ok) bestScore = Math.max(bestScore, ev.choice.score.total);
            }
          }
          const res = idx.place(r);
          expect(res.ok ? res.plan.score.total : -Infinity).toBe(bestScore);
          if (res.ok) idx.apply(res.plan);
        }
      }),
      RUNS,
    );
  });

  it('capacity(shape) is never negative and equals the VMs sequential placement fits', () => {
    fc.assert(
      fc.property(fleetArb, requestArb('shape'), (snapshot, shape) => {
        const report = capacity(snapshot, shape);
        expect(report.total).toBeGreaterThanOrEqual(0);
        const idx = new PlacementIndex(snapshot);
        let n = 0;
        for (; n < 500; n++) {
          const res = idx.place({ ...shape, vmId: `seq-${n}` });
          if (!res.ok) break;
          idx.apply(res.plan);
        }
        expect(report.total).toBe(n);
        expect(report.perHost.reduce((t, h) => t + h.count, 0)).toBe(n);
      }),
      { numRuns: Math.ceil(RUNS.numRuns * 0.7) },
    );
  });

  it('releasing every VM restores the original free resources', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const { snapshot: s, plans } = placeAll(snapshot, requests);
        let back = s;
        for (const p of [...plans].reverse()) back = releaseVm(back, p.vmId);
        expect(back.allocations).toEqual([]);
        expect(back.hosts).toEqual(snapshot.hosts);
      }),
      RUNS,
    );
  });

  it('reports an interface numaLocal iff its NIC has no NUMA node or the node holds every vCPU', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        const { plans } = placeAll(snapshot, requests);
        for (const p of plans) expectTruthfulLocality(snapshot, p);
      }),
      RUNS,
    );
  });
});

function expectTruthfulLocality(snapshot: FleetSnapshot, p: PlacementPlan): void {
  const host = snapshot.hosts.find((h) => h.id === p.hostId);
  const nodeOf = new Map(host?.cpus.map((c) => [c.id, c.numaNode]));
  const vcpuNodes = new Set(p.vcpuPins.flatMap((v) => v.cpus.map((c) => nodeOf.get(c))));
  for (const i of p.interfaces) {
    const holds = i.numaNode === null || (vcpuNodes.size === 1 && vcpuNodes.has(i.numaNode));
    expect(i.numaLocal, `${p.vmName} interface ${i.index} on node ${i.numaNode}, vCPUs on ${[...vcpuNodes].join(',')}`).toBe(holds);
  }
}

/**
 * One two-node host with an SR-IOV PF on each node, some CPUs and VFs already taken, and a
 * VM that may not fit on one node (numaPolicy NONE): where the vCPUs end up decides the VF.
 */
const spanningArb = fc.record({
  busy: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
  taken: fc.tuple(fc.subarray([0, 1, 2, 3]), fc.subarray([0, 1, 2, 3])),
  vcpus: fc.integer({ min: 1, max: 12 }),
  memoryGiB: fc.integer({ min: 1, max: 120 }),
  cpuPolicy: fc.constantFrom('DEDICATED', 'SHARED') as fc.Arbitrary<'DEDICATED' | 'SHARED'>,
  numaPolicy: fc.constantFrom('NONE', 'PREFERRED') as fc.Arbitrary<'NONE' | 'PREFERRED'>,
});

describe('a VM that spans or leaves its NIC node (issue 13)', () => {
  it('takes its VF on the node holding its vCPUs when that node has one free, and reports locality truthfully', () => {
    fc.assert(
      fc.property(spanningArb, ({ busy, taken, vcpus, memoryGiB, cpuPolicy, numaPolicy }) => {
        const snapshot = fleet()
          .host({
            name: 'h1',
            busyCpus: busy,
            nics: [
              { name: 'pfa', node: 0, vfs: 4, takenVfs: taken[0] },
              { name: 'pfb', node: 1, vfs: 4, takenVfs: taken[1] },
            ],
          })
          .network('physnet0', 'SRIOV_PHYSNET', { on: { h1: ['pfa', 'pfb'] } })
          .build();
        const r = place(snapshot, vm({ vcpus, memoryMiB: memoryGiB * 1024, cpuPolicy, numaPolicy, interfaces: [{ network: 'physnet0' }] }));
        if (!r.ok) return;
        expectTruthfulLocality(snapshot, r.plan);
        const iface = r.plan.interfaces[0];
        if (iface.datapath !== 'SRIOV') return;
        // Only where the vCPUs' node has room for them and the NIC's I/O set (2 CPUs here): else
        // the I/O set would push the vCPUs off it, and no node is right for both.
        const cpus = snapshot.hosts[0].cpus;
        const nodeOf = new Map(cpus.map((c) => [c.id, c.numaNode]));
        const vcpuNodes = new Set(r.plan.vcpuPins.flatMap((v) => v.cpus.map((c) => nodeOf.get(c) ?? -1)));
        const [only] = [...vcpuNodes];
        const free = cpus.filter((c) => c.numaNode === only && c.owner === null).length;
        if (cpuPolicy === 'DEDICATED' && vcpuNodes.size === 1 && taken[only].length < 4 && free >= vcpus + 2)
          expect(iface.numaNode).toBe(only);
      }),
      RUNS,
    );
  });
});
