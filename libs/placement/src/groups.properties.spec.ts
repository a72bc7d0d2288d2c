import type { FleetSnapshot, VmRequest } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan, capacity, explain, place, releaseVm } from './api';
import { PlacementIndex } from './engine';
import { fleet, vm } from './testing/fleet-builder';

/**
 * Affinity-group invariants over random fleets and random sequences of creates and
 * deletes: hard rules are never broken, they refuse only what they must, and a kept index
 * (with its score cache) answers exactly like the pure functions.
 */
type GroupName = 'apart1' | 'apart2' | 'together' | 'soft-apart' | 'soft-together' | null;

const fleetArb = fc
  .array(fc.record({ coresPerNode: fc.integer({ min: 1, max: 4 }), nodes: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 5 })
  .map((hosts): FleetSnapshot => {
    const b = fleet();
    hosts.forEach((h, i) => b.host({ name: `h${i}`, threadsPerCore: 1, ...h }));
    return b
      .group('apart1', 'ANTI_AFFINITY')
      .group('apart2', 'ANTI_AFFINITY', { maxPerHost: 2 })
      .group('together', 'AFFINITY')
      .group('soft-apart', 'ANTI_AFFINITY', { enforcement: 'SOFT' })
      .group('soft-together', 'AFFINITY', { enforcement: 'SOFT' })
      .build();
  });

type Step = { kind: 'create'; group: GroupName; vcpus: number; strategy: 'PACK' | 'SPREAD' } | { kind: 'delete'; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      group: fc.constantFrom<GroupName>('apart1', 'apart1', 'apart2', 'together', 'together', 'soft-apart', 'soft-together', null),
      vcpus: fc.integer({ min: 1, max: 3 }),
      strategy: fc.constantFrom('PACK' as const, 'SPREAD' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

const RUNS = { numRuns: Number(process.env['PLACEMENT_PROPERTY_RUNS'] ?? 60) };

function membersPerHost(s: FleetSnapshot, groupId: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of s.allocations) if (a.group === groupId) m.set(a.hostId, (m.get(a.hostId) ?? 0) + 1);
  return m;
}

function checkHardRules(s: FleetSnapshot): void {
  for (const [name, max] of [
    ['apart1', 1],
    ['apart2', 2],
  ] as const) {
    for (const [host, n] of membersPerHost(s, `grp-${name}`)) expect(n, `${name} on ${host}`).toBeLessThanOrEqual(max);
  }
  expect(membersPerHost(s, 'grp-together').size).toBeLessThanOrEqual(1);
}

/** A refusal of a hard group is owed: every host that would take the VM without its group breaks the rule. */
function checkRefusalOwed(s: FleetSnapshot, req: VmRequest, group: GroupName): void {
  if (group !== 'apart1' && group !== 'apart2' && group !== 'together') return;
  const free = { ...req, group: undefined };
  const members = membersPerHost(s, `grp-${group}`);
  for (const h of s.hosts) {
    if (!explain(s, free, h.id).fits) continue;
    const here = members.get(h.id) ?? 0;
    if (group === 'together') expect(members.size > 0 && here === 0, `together refused on ${h.name}`).toBe(true);
    else expect(here, `${group} refused on ${h.name}`).toBeGreaterThanOrEqual(group === 'apart1' ? 1 : 2);
  }
}

describe('affinity groups over random fleets and create/delete sequences', () => {
  it('never breaks a hard rule, refuses only what a rule owes, and a kept index answers as the pure functions', () => {
    fc.assert(
      fc.property(fleetArb, fc.array(stepArb, { minLength: 1, maxLength: 25 }), (start, steps) => {
        let s = start;
        const indexes = { PACK: new PlacementIndex(start), SPREAD: new PlacementIndex(start, { strategy: 'SPREAD' }) };
        steps.forEach((step, k) => {
          if (step.kind === 'delete') {
            const victim = s.allocations[step.pick % Math.max(1, s.allocations.length)];
            if (!victim) return;
            s = releaseVm(s, victim.vmId);
            indexes.PACK.release(victim.vmId);
            indexes.SPREAD.release(victim.vmId);
            return;
          }
          const req = vm({ name: `vm${k}`, vcpus: step.vcpus, memoryMiB: 512, ...(step.group ? { group: step.group } : {}) });
          const opts = { strategy: step.strategy };
          const r = place(s, req, opts);
          const viaIndex = indexes[step.strategy].place(req);
          expect(viaIndex.ok ? viaIndex.plan.hostId : null).toBe(r.ok ? r.plan.hostId : null);
          if (!r.ok) return checkRefusalOwed(s, req, step.group);
          s = applyPlan(s, r.plan, opts);
          indexes.PACK.apply(r.plan);
          indexes.SPREAD.apply(r.plan);
          checkHardRules(s);
        });
      }),
      RUNS,
    );
  });

  it('capacity of a hard anti-affinity shape never exceeds maxPerHost minus the members per host', () => {
    fc.assert(
      fc.property(fleetArb, fc.array(fc.constantFrom('apart1', 'apart2', null), { maxLength: 6 }), (start, pre) => {
        let s = start;
        pre.forEach((g, k) => {
          const r = place(s, vm({ name: `pre${k}`, memoryMiB: 512, ...(g ? { group: g } : {}) }));
          if (r.ok) s = applyPlan(s, r.plan);
        });
        const members = membersPerHost(s, 'grp-apart2');
        const c = capacity(s, vm({ name: 'cap', memoryMiB: 512, group: 'apart2' }));
        for (const h of c.perHost) expect(h.count).toBeLessThanOrEqual(2 - (members.get(h.hostId) ?? 0));
      }),
      RUNS,
    );
  });
});
