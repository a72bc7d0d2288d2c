import { CPU_OWNER_ROLES, type FleetHost, type FleetSnapshot, type VmRequest } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan, place, releaseVm } from './api';
import { compactFleet, compactHost, CpuLayouts, expandFleet, expandHost, vfPciAt, vfPciRule } from './compact';
import { PlacementIndex } from './engine';
import { fleet, vm } from './testing/fleet-builder';

const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 60) };

/** Hosts unlike the builder's regular ones: CPUs out of order, owners of every role, VFs with odd addresses and states. */
const oddities = fc.record({
  reverseCpus: fc.boolean(),
  owners: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...CPU_OWNER_ROLES), fc.constantFrom('vm-a', 'vm-b')), { maxLength: 4 }),
  vfPci: fc.constantFrom('regular', 'gap', 'empty'),
  reservedVf: fc.boolean(),
});

const fleetArb = fc
  .record({
    hosts: fc.array(
      fc.record({
        nodes: fc.integer({ min: 1, max: 2 }),
        coresPerNode: fc.integer({ min: 2, max: 4 }),
        threadsPerCore: fc.integer({ min: 1, max: 2 }),
        reservedCoresPerNode: fc.integer({ min: 0, max: 1 }),
        vfs: fc.integer({ min: 0, max: 6 }),
        odd: oddities,
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ hosts }): FleetSnapshot => {
    const b = fleet();
    hosts.forEach(({ odd: _odd, vfs, ...h }, i) => {
      b.host({
        name: `h${i}`,
        ...h,
        hugepages2MPerNode: 1024,
        nics: [
          { name: 'pf0', node: 0, vfs, queues: 2 },
          { name: 'eth1', node: 0 },
        ],
      });
    });
    const s = b.network('sr', 'SRIOV_PHYSNET', { on: Object.fromEntries(hosts.map((_, i) => [`h${i}`, ['pf0']])) }).build();
    return { ...s, hosts: s.hosts.map((h, i) => oddHost(h, hosts[i].odd)) };
  });

type Odd = typeof oddities extends fc.Arbitrary<infer T> ? T : never;

function oddHost(h: FleetHost, odd: Odd): FleetHost {
  const cpus = h.cpus.map((c) => ({ ...c }));
  for (const [at, role, vmId] of odd.owners) {
    const c = cpus[at % cpus.length];
    if (!c.reservedForHost) c.owner = { vmId, role };
  }
  const nics = h.nics.map((n) => ({
    ...n,
    vfs: n.vfs.map((v, k) => ({
      ...v,
      pciAddress: odd.vfPci === 'empty' && k === 1 ? '' : odd.vfPci === 'gap' && k === 2 ? '0000:ff:1f.7' : v.pciAddress,
      state: odd.reservedVf && k === 0 ? ('RESERVED' as const) : v.state,
    })),
  }));
  return { ...h, cpus: odd.reverseCpus ? cpus.reverse() : cpus, nics };
}

const byId = (h: FleetHost): FleetHost => ({ ...h, cpus: [...h.cpus].sort((a, b) => a.id - b.id) });

const requestArb = (name: string): fc.Arbitrary<VmRequest> =>
  fc
    .record({
      vcpus: fc.integer({ min: 1, max: 4 }),
      cpuPolicy: fc.constantFrom('DEDICATED', 'SHARED') as fc.Arbitrary<'DEDICATED' | 'SHARED'>,
      numaPolicy: fc.constantFrom('REQUIRED', 'PREFERRED', 'NONE') as fc.Arbitrary<'REQUIRED' | 'PREFERRED' | 'NONE'>,
      hugepages: fc.constantFrom('NONE', 'SIZE_2M') as fc.Arbitrary<'NONE' | 'SIZE_2M'>,
      sriov: fc.boolean(),
    })
    .map(({ sriov, ...r }) => vm({ ...r, name, memoryMiB: 1024, interfaces: sriov ? [{ network: 'sr' }] : [] }));

describe('compact fleet (CPU and VF columns)', () => {
  it('gives back the hosts it was made from (CPUs by id, VFs by index)', () => {
    fc.assert(
      fc.property(fleetArb, (s) => {
        const layouts = new CpuLayouts();
        for (const h of s.hosts) expect(expandHost(compactHost(h, layouts))).toEqual(byId(h));
        expect(expandFleet(compactFleet(s))).toEqual({ ...s, hosts: s.hosts.map(byId) });
      }),
      RUNS,
    );
  });

  it('places, applies and releases like the object snapshot, plan for plan', () => {
    const scenario = fleetArb.chain((snapshot) =>
      fc.record({
        snapshot: fc.constant(snapshot),
        requests: fc
          .array(fc.integer(), { minLength: 1, maxLength: 10 })
          .chain((xs) => fc.tuple(...xs.map((_, i) => requestArb(`vm${i}`)))),
        release: fc.array(fc.nat(), { maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ snapshot, requests, release }) => {
        // objects: every step rebuilt from the FleetSnapshot; columns: one index, changed in place
        let objects = snapshot;
        const idx = new PlacementIndex(compactFleet(snapshot));
        const placed: string[] = [];
        for (const r of requests) {
          const a = place(objects, r);
          const b = idx.place(r);
          expect(b).toEqual(a);
          if (!a.ok || !b.ok) continue;
          objects = applyPlan(objects, a.plan);
          idx.apply(b.plan);
          placed.push(r.vmId ?? r.name);
        }
        for (const k of release) {
          const vmId = placed[k % Math.max(1, placed.length)];
          if (vmId === undefined) continue;
          objects = releaseVm(objects, vmId);
          idx.release(vmId);
        }
        expect(idx.toSnapshot()).toEqual({ ...objects, hosts: objects.hosts.map(byId) });
        const probe = vm({ name: 'probe', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'sr' }] });
        expect(idx.place(probe)).toEqual(place(objects, probe));
      }),
      RUNS,
    );
  });

  it('keeps VF PCI addresses as a rule when they follow one, else as they are', () => {
    const idx = Int32Array.from([0, 1, 2, 3]);
    const regular = ['0000:3b:10.0', '0000:3b:10.1', '0000:3b:10.2', '0000:3b:10.3'];
    const rule = vfPciRule(idx, regular);
    expect(Array.isArray(rule)).toBe(false);
    const cols = { index: idx, state: new Uint8Array(4), owner: new Int32Array(4), pci: rule };
    expect([0, 1, 2, 3].map((k) => vfPciAt(cols, k))).toEqual(regular);
    // stride 2 across a device boundary
    const strided = ['0000:af:02.0', '0000:af:02.2', '0000:af:02.4', '0000:af:02.6'];
    expect(vfPciRule(idx, strided)).toEqual({ prefix: '0000:', first: (0xaf << 8) | (2 << 3), stride: 2 });
    const odd = ['0000:3b:10.0', '0000:3b:10.1', '', '0000:3b:10.3'];
    expect(vfPciRule(idx, odd)).toEqual(odd);
    expect(vfPciRule(idx, ['0000:3B:10.0', '0000:3B:10.1', '0000:3B:10.2', '0000:3B:10.3'])).toEqual([
      '0000:3B:10.0',
      '0000:3B:10.1',
      '0000:3B:10.2',
      '0000:3B:10.3',
    ]);
  });

  it('stores one CPU layout for hosts built alike', () => {
    const s = fleet()
      .host({ name: 'a', coresPerNode: 4 })
      .host({ name: 'b', coresPerNode: 4 })
      .host({ name: 'c', coresPerNode: 2 })
      .build();
    const c = compactFleet(s);
    expect(c.hosts[0].cpus).toBe(c.hosts[1].cpus);
    expect(c.hosts[2].cpus).not.toBe(c.hosts[0].cpus);
  });

  it('shares what NICs alike have (VF indices, queue IRQs), never their VF states and owners', () => {
    const s = fleet()
      .host({ name: 'a', nics: [{ name: 'p0', node: 0, vfs: 4, queues: 2 }] })
      .host({ name: 'b', nics: [{ name: 'p0', node: 0, vfs: 4, queues: 2 }] })
      .host({ name: 'c', nics: [{ name: 'p0', node: 0, vfs: 2, queues: 2 }] })
      .network('sr', 'SRIOV_PHYSNET', { on: { a: ['p0'], b: ['p0'], c: ['p0'] } })
      .build();
    const c = compactFleet(s);
    const [a, b, third] = c.hosts.map((h) => h.nics[0]);
    expect(b.vfs.index).toBe(a.vfs.index);
    expect(b.queueIrqs).toBe(a.queueIrqs);
    expect(third.vfs.index).not.toBe(a.vfs.index);
    expect(b.vfs.owner).not.toBe(a.vfs.owner);
    const idx = new PlacementIndex(c);
    const plan = idx.place(vm({ name: 'x', pinHost: 'a', interfaces: [{ network: 'sr' }] }));
    expect(plan.ok).toBe(true);
    if (plan.ok) idx.apply(plan.plan);
    // the VF taken on a is a's alone: b and c, whose columns sit next to a's, are as they were
    expect(Array.from(c.hosts[0].nics[0].vfs.owner).filter((o) => o >= 0)).toHaveLength(1);
    expect(expandHost(c.hosts[1])).toEqual(byId(s.hosts[1]));
    expect(expandHost(c.hosts[2])).toEqual(byId(s.hosts[2]));
  });

  it('hands out columns that do not overlap, across chunks and for large ones', () => {
    const layouts = new CpuLayouts();
    const sizes = [3, 0, 128, 70_000, 5, 20_000, 20_000, 1];
    const ints = sizes.map((n, i) => layouts.ints(n, -1 - i));
    const bytes = sizes.map((n, i) => layouts.bytes(n, i));
    sizes.forEach((n, i) => {
      expect(ints[i]).toHaveLength(n);
      expect(ints[i].every((x) => x === -1 - i)).toBe(true);
      expect(bytes[i].every((x) => x === i)).toBe(true);
    });
    ints.forEach((a, i) => a.fill(i + 1));
    bytes.forEach((a, i) => a.fill(100 + i));
    ints.forEach((a, i) => expect(a.every((x) => x === i + 1)).toBe(true));
    bytes.forEach((a, i) => expect(a.every((x) => x === 100 + i)).toBe(true));
  });
});
