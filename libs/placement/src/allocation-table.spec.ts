import { CPU_OWNER_ROLES, PAGED_HUGEPAGE_SIZES, type FleetAllocation } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocationTable } from './allocation-table';
import { PlacementIndex } from './engine';
import { fleet, vm } from './testing/fleet-builder';
import { planOf } from './testing/results';

const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 60) };
const HOST = 'host-1';

const nat = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const small = fc.integer({ min: 0, max: 7 });
const nicId = fc.constantFrom('host-1/pf0', 'host-1/pf1', 'host-1/eth0');

const allocationArb = (vmId: string): fc.Arbitrary<FleetAllocation> =>
  fc.record({
    vmId: fc.constant(vmId),
    vmName: fc.oneof(fc.constant(vmId), fc.string()),
    hostId: fc.constant(HOST),
    cpus: fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 4095 }), role: fc.constantFrom(...CPU_OWNER_ROLES) }), { maxLength: 12 }),
    sharedVcpus: fc.array(fc.record({ node: small, vcpus: nat }), { maxLength: 2 }),
    memory: fc.array(fc.record({ node: small, mib: nat }), { maxLength: 2 }),
    hugepages: fc.array(fc.record({ node: small, size: fc.constantFrom(...PAGED_HUGEPAGE_SIZES), pages: nat }), { maxLength: 2 }),
    vfs: fc.array(fc.record({ nicId, vfIndex: fc.integer({ min: 0, max: 255 }) }), { maxLength: 3 }),
    bandwidth: fc.array(fc.record({ nicId, mbps: nat }), { maxLength: 3 }),
    ioNodes: fc.array(small, { maxLength: 2 }),
    group: fc.constantFrom(null, 'g-1', 'g-2'),
    pmdQueues: fc.array(fc.record({ node: small, queues: nat }), { maxLength: 2 }),
  });

/** set/delete steps over a few VM ids; the table must answer as a Map of the same steps. */
const stepsArb = fc.array(
  fc.oneof(
    fc.constantFrom('a', 'b', 'c', 'd', 'e').chain((id) => allocationArb(id).map((a) => ({ op: 'set' as const, a }))),
    fc.constantFrom('a', 'b', 'c', 'd', 'e', 'zz').map((id) => ({ op: 'delete' as const, id })),
  ),
  { maxLength: 40 },
);

describe('AllocationTable', () => {
  it('answers as a Map of the same sets and deletes, each allocation given back exactly (same JSON)', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const t = new AllocationTable(HOST);
        const model = new Map<string, FleetAllocation>();
        for (const s of steps) {
          if (s.op === 'set') {
            t.set(s.a);
            model.set(s.a.vmId, s.a);
          } else expect(t.delete(s.id)).toBe(model.delete(s.id));
          expect([...t.keys()]).toEqual([...model.keys()]);
          expect(JSON.stringify(t.values())).toBe(JSON.stringify([...model.values()]));
          expect(t.size).toBe(model.size);
        }
        for (const [id, a] of model) {
          expect(t.has(id)).toBe(true);
          expect(JSON.stringify(t.get(id))).toBe(JSON.stringify(a));
          expect(t.holds(a)).toBe(true);
          expect(t.holds({ ...a, vmName: `${a.vmName}x` })).toBe(false);
          expect(t.holds({ ...a, cpus: [...a.cpus, { cpu: 4096, role: 'VCPU' }] })).toBe(false);
        }
        expect(t.get('zz')).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('keeps an allocation it cannot encode as given (another host, a number past 32 bits, a fraction)', () => {
    const t = new AllocationTable(HOST);
    const base = fc.sample(allocationArb('x'), { numRuns: 1, seed: 1 })[0];
    const odd = [
      { ...base, vmId: 'other-host', hostId: 'host-2' },
      { ...base, vmId: 'big', memory: [{ node: 0, mib: 2 ** 33 }] },
      { ...base, vmId: 'fraction', cpus: [{ cpu: 1.5, role: 'VCPU' as const }] },
    ];
    for (const a of odd) t.set(a);
    t.set(base);
    expect(t.values()).toEqual([...odd, base]);
    expect(t.get('big')).toBe(odd[1]);
    expect(t.holds(odd[0])).toBe(true);
    t.delete('big');
    expect([...t.keys()]).toEqual(['other-host', 'fraction', 'x']);
    expect(t.get('x')).toEqual(base);
  });

  it('in an index: release gives back exactly the allocation each plan recorded, and toSnapshot lists them all', () => {
    const s = fleet()
      .hosts(3, 'h', {
        nodes: 2,
        coresPerNode: 16,
        hugepages1GPerNode: 16,
        nics: [
          { name: 'pf0', node: 0, vfs: 8 },
          { name: 'pf1', node: 1, vfs: 8 },
          { name: 'eth0', node: 0 },
        ],
      })
      .network('phys', 'SRIOV_PHYSNET', { on: { 'h-0': ['pf0', 'pf1'], 'h-1': ['pf0', 'pf1'], 'h-2': ['pf0', 'pf1'] } })
      .network('br', 'LINUX_BRIDGE', { on: { 'h-0': ['eth0'], 'h-1': ['eth0'], 'h-2': ['eth0'] } })
      .group('g', 'ANTI_AFFINITY', { enforcement: 'SOFT' })
      .build();
    const idx = new PlacementIndex(s);
    const shapes = [
      (i: number) =>
        vm({ name: `d${i}`, vcpus: 4, cpuPolicy: 'DEDICATED', hugepages: 'SIZE_1G', memoryMiB: 4096, interfaces: [{ network: 'phys' }] }),
      (i: number) => vm({ name: `s${i}`, vcpus: 2, group: 'g', interfaces: [{ network: 'br', minBandwidthMbps: 100 }] }),
      (i: number) =>
        vm({ name: `n${i}`, vcpus: 6, numaPolicy: 'NONE', interfaces: [{ network: 'phys', datapath: 'SRIOV' }, { network: 'br' }] }),
    ];
    const plans = Array.from({ length: 24 }, (_, i) => {
      const plan = planOf(idx.place(shapes[i % 3](i)));
      idx.apply(plan);
      return plan;
    });
    const byId = (a: FleetAllocation, b: FleetAllocation) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0);
    expect(JSON.stringify(idx.toSnapshot().allocations)).toBe(JSON.stringify(plans.map((p) => p.allocation).sort(byId)));
    // the identical plan again is a no-op, also with its keys in another order
    const { vmId, ...rest } = plans[0].allocation;
    idx.apply({ ...plans[0], allocation: { ...rest, vmId } });
    for (const p of [...plans].reverse()) expect(JSON.stringify(idx.release(p.vmId))).toBe(JSON.stringify(p.allocation));
    expect(idx.toSnapshot().allocations).toEqual([]);
    expect(JSON.stringify(idx.toSnapshot().hosts)).toBe(JSON.stringify(new PlacementIndex(s).toSnapshot().hosts));
  });
});
