import type { FleetSnapshot, PlacementPlan, VmRequest } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlacementConflictError } from './allocation';
import { applyPlan, place, releaseVm } from './api';
import { fleet, vm } from './testing/fleet-builder';

/**
 * Minimum bandwidth is a NIC capacity (Neutron's minimum-bandwidth guarantee, taken at
 * scheduling): whatever the order, and whether plans are made one after another or all at
 * once on the same snapshot (concurrent API calls), no NIC is ever promised more than its
 * link speed.
 */
const SPEEDS = [1_000, 10_000, 25_000] as const;
const ASKS = [0, 100, 500, 1_000, 4_000, 10_000, 20_000] as const;

const fleetArb = fc
  .record({
    hosts: fc.array(fc.tuple(fc.constantFrom(...SPEEDS), fc.constantFrom(...SPEEDS), fc.integer({ min: 0, max: 4 })), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(({ hosts }): FleetSnapshot => {
    const b = fleet();
    hosts.forEach(([s0, s1, vfs], i) =>
      b.host({
        name: `h${i}`,
        coresPerNode: 8,
        nics: [
          { name: 'pf0', node: 0, speedMbps: s0, vfs, driver: 'mlx5_core' },
          { name: 'eth1', node: 1, speedMbps: s1 },
        ],
      }),
    );
    const on = (nic: string) => Object.fromEntries(hosts.map((_, i) => [`h${i}`, [nic]]));
    return b
      .network('phys', 'SRIOV_PHYSNET', { on: on('pf0') })
      .network('mvt', 'MACVTAP', { on: on('eth1') })
      .network('lbr', 'LINUX_BRIDGE', { on: on('eth1') })
      .build();
  });

const requestArb = (name: string) =>
  fc
    .record({
      shared: fc.boolean(),
      interfaces: fc.array(fc.record({ network: fc.constantFrom('phys', 'mvt', 'lbr'), minBandwidthMbps: fc.constantFrom(...ASKS) }), {
        minLength: 1,
        maxLength: 2,
      }),
    })
    .map(({ shared, interfaces }): VmRequest =>
      vm({ name, vcpus: 1, memoryMiB: 256, numaPolicy: 'NONE', cpuPolicy: shared ? 'SHARED' : 'DEDICATED', interfaces }),
    );

const scenarioArb = fleetArb.chain((snapshot) =>
  fc.record({
    snapshot: fc.constant(snapshot),
    requests: fc.integer({ min: 1, max: 14 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => requestArb(`vm${i}`)))),
  }),
);

const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 80) };

/** Mb/s promised per NIC id in the snapshot's allocations. */
function promised(s: FleetSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of s.allocations) for (const b of a.bandwidth) out.set(b.nicId, (out.get(b.nicId) ?? 0) + b.mbps);
  return out;
}

function expectNoOvercommit(s: FleetSnapshot): void {
  const speed = new Map(s.hosts.flatMap((h) => h.nics.map((n) => [n.id, n.speedMbps] as const)));
  for (const [nicId, mbps] of promised(s)) expect(mbps, `${nicId} promised ${mbps}`).toBeLessThanOrEqual(speed.get(nicId) ?? 0);
}

/** The plan's bandwidth allocation is exactly its interfaces' minimums, each on the NIC it uses. */
function expectPlanAccountsItsInterfaces(plan: PlacementPlan): void {
  const want = new Map<string, number>();
  for (const i of plan.interfaces) {
    if (i.minBandwidthMbps === 0) continue;
    expect(i.nicId, `interface ${i.index} promises ${i.minBandwidthMbps} Mb/s on no NIC`).not.toBeNull();
    want.set(i.nicId ?? '', (want.get(i.nicId ?? '') ?? 0) + i.minBandwidthMbps);
  }
  expect(new Map(plan.allocation.bandwidth.map((b) => [b.nicId, b.mbps]))).toEqual(want);
}

/** Every host with a shared VM on each of its NICs, so its nodes' I/O CPUs exist. */
function withIoSets(snapshot: FleetSnapshot): FleetSnapshot {
  let s = snapshot;
  for (const h of snapshot.hosts) {
    for (const network of ['mvt', 'phys']) {
      const r = place(
        s,
        vm({
          name: `io-${h.name}-${network}`,
          vcpus: 1,
          memoryMiB: 256,
          cpuPolicy: 'SHARED',
          numaPolicy: 'NONE',
          pinHost: h.name,
          interfaces: [{ network }],
        }),
      );
      if (r.ok) s = applyPlan(s, r.plan);
    }
  }
  return s;
}

describe('bandwidth reservation over random fleets and requests', () => {
  it('placed one after another, never promises a NIC more than its speed, and accounts every minimum', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        let s = snapshot;
        for (const r of requests) {
          const res = place(s, r);
          if (!res.ok) continue;
          expectPlanAccountsItsInterfaces(res.plan);
          s = applyPlan(s, res.plan);
          expectNoOvercommit(s);
        }
      }),
      RUNS,
    );
  });

  it('planned at once on one snapshot (concurrent calls), the plans that apply never over-commit; the others conflict', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        // shared-CPU VMs on hosts whose I/O CPUs are already set up differ only in what they
        // promise, so a stale plan is caught by its bandwidth, not by a CPU another plan took
        const seeded = withIoSets(snapshot);
        const shared = requests.map((r) => ({
          ...r,
          cpuPolicy: 'SHARED' as const,
          threadPolicy: 'PREFER' as const,
          emulatorThreads: 'SHARE' as const,
        }));
        const plans = shared.map((r) => place(seeded, r)).flatMap((r) => (r.ok ? [r.plan] : []));
        let s = seeded;
        let conflicts = 0;
        for (const p of plans) {
          try {
            s = applyPlan(s, p);
          } catch (e) {
            expect(e).toBeInstanceOf(PlacementConflictError);
            conflicts++;
          }
          expectNoOvercommit(s);
        }
        expect(s.allocations.length - seeded.allocations.length + conflicts).toBe(plans.length);
      }),
      RUNS,
    );
  });

  it('releasing every VM gives each NIC its whole speed back', () => {
    fc.assert(
      fc.property(scenarioArb, ({ snapshot, requests }) => {
        let s = snapshot;
        for (const r of requests) {
          const res = place(s, r);
          if (res.ok) s = applyPlan(s, res.plan);
        }
        for (const a of [...s.allocations]) s = releaseVm(s, a.vmId);
        expect(promised(s).size).toBe(0);
        // the whole of the fastest macvtap NIC can be promised again
        const fastest = Math.max(...s.hosts.map((h) => h.nics.find((n) => n.name === 'eth1')?.speedMbps ?? 0));
        const full = place(s, vm({ name: 'full', vcpus: 1, memoryMiB: 256, interfaces: [{ network: 'mvt', minBandwidthMbps: fastest }] }));
        expect(full.ok).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('two placements at once on one NIC', () => {
  it('the second plan made on the same snapshot is refused with BANDWIDTH when both minimums do not fit', () => {
    const empty = fleet()
      .host({ name: 'h1', nics: [{ name: 'eth1', node: 0, speedMbps: 25_000 }] })
      .network('mvt', 'MACVTAP', { on: { h1: ['eth1'] } })
      .build();
    const ask = (snapshot: FleetSnapshot, name: string, mbps: number) =>
      place(snapshot, vm({ name, vcpus: 1, cpuPolicy: 'SHARED', interfaces: [{ network: 'mvt', minBandwidthMbps: mbps }] }));
    // a first VM on the NIC sets up its node's I/O CPUs, so the two below share them and differ only in bandwidth
    const first = ask(empty, 'first', 0);
    if (!first.ok) throw new Error('an empty host takes it');
    const s = applyPlan(empty, first.plan);
    const [a, b] = [ask(s, 'a', 15_000), ask(s, 'b', 15_000)];
    if (!a.ok || !b.ok) throw new Error('each fits alone');
    const after = applyPlan(s, a.plan);
    expect(() => applyPlan(after, b.plan)).toThrow(expect.objectContaining({ reason: 'BANDWIDTH' }) as Error);
    expect(() => applyPlan(after, b.plan)).toThrow(/eth1 has 10000 Mb\/s unpromised, the plan promises 15000/);
  });
});
