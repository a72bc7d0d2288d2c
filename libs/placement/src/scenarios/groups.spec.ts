import type { FleetSnapshot, VmRequestInput } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, capacity, explain, place, releaseVm } from '../api';
import { PlacementIndex } from '../engine';
import { fleet, vm } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/** Three identical hosts a, b, c (2 nodes x 4 cores x 2 threads); groups of every kind. */
function threeHosts(): FleetSnapshot {
  return fleet()
    .hosts(3, 'h')
    .group('apart', 'ANTI_AFFINITY')
    .group('apart2', 'ANTI_AFFINITY', { maxPerHost: 2 })
    .group('soft-apart', 'ANTI_AFFINITY', { enforcement: 'SOFT' })
    .group('together', 'AFFINITY')
    .group('soft-together', 'AFFINITY', { enforcement: 'SOFT' })
    .build();
}

/** Place and record each request in order; the hosts the VMs landed on. */
function placeAll(snapshot: FleetSnapshot, requests: Partial<VmRequestInput>[]): { snapshot: FleetSnapshot; hosts: string[] } {
  const hosts: string[] = [];
  let s = snapshot;
  requests.forEach((r, k) => {
    const plan = planOf(place(s, vm({ name: `vm${k}`, ...r })));
    hosts.push(plan.hostName);
    s = applyPlan(s, plan);
  });
  return { snapshot: s, hosts };
}

const times = (n: number, r: Partial<VmRequestInput>) => Array.from({ length: n }, () => r);

describe('hard anti-affinity', () => {
  it('three hosts, maxPerHost 1: three members on three hosts, the fourth is rejected with GROUP_ANTI_AFFINITY on each', () => {
    const { snapshot, hosts } = placeAll(threeHosts(), times(3, { group: 'apart' }));
    expect(new Set(hosts).size).toBe(3);
    const r = place(snapshot, vm({ name: 'vm3', group: 'apart' }));
    expect(reasonsOf(r)).toEqual(['GROUP_ANTI_AFFINITY']);
    expect(r.ok ? null : r.rejection.summary[0].hosts).toBe(3);
  });

  it('maxPerHost 2: six members fill three hosts two by two, the seventh is rejected', () => {
    const { snapshot, hosts } = placeAll(threeHosts(), times(6, { group: 'apart2' }));
    expect(['h-0', 'h-1', 'h-2'].map((h) => hosts.filter((x) => x === h).length)).toEqual([2, 2, 2]);
    expect(reasonsOf(place(snapshot, vm({ name: 'vm6', group: 'apart2' })))).toEqual(['GROUP_ANTI_AFFINITY']);
  });

  it('VMs outside the group still pack onto a host holding a member', () => {
    const { snapshot } = placeAll(threeHosts(), [{ group: 'apart' }]);
    expect(planOf(place(snapshot, vm({ name: 'other' }))).hostName).toBe('h-0');
  });

  it('releasing a member frees its slot on that host', () => {
    const { snapshot } = placeAll(threeHosts(), times(3, { group: 'apart' }));
    const freed = releaseVm(snapshot, 'vm1');
    expect(planOf(place(freed, vm({ name: 'vm3', group: 'apart' }))).hostName).toBe('h-1');
  });

  it('explain names the members the host already runs', () => {
    const { snapshot } = placeAll(threeHosts(), [{ group: 'apart' }]);
    const e = explain(snapshot, vm({ name: 'x', group: 'apart' }), 'h-0');
    expect(e.fits).toBe(false);
    expect(e.reasons).toEqual([{ code: 'GROUP_ANTI_AFFINITY', detail: 'h-0 already runs 1 member(s) of group apart (maxPerHost 1)' }]);
    expect(explain(snapshot, vm({ name: 'x', group: 'apart' }), 'h-1').fits).toBe(true);
  });
});

describe('hard affinity', () => {
  it('the first member goes where packing says, every later one follows it', () => {
    const { hosts } = placeAll(threeHosts(), times(3, { group: 'together' }));
    expect(hosts).toEqual(['h-0', 'h-0', 'h-0']);
  });

  it('once the members host is full, the next is rejected: GROUP_AFFINITY elsewhere, the capacity reason there', () => {
    const { snapshot } = placeAll(threeHosts(), times(2, { group: 'together', vcpus: 8 }));
    const r = place(snapshot, vm({ name: 'vm2', group: 'together', vcpus: 2 }));
    const summary = r.ok ? [] : r.rejection.summary.map((s) => [s.code, s.hosts]);
    expect(summary).toEqual([
      ['GROUP_AFFINITY', 2],
      ['INSUFFICIENT_DEDICATED_CPUS', 1],
    ]);
  });

  it('a member pinned to h-2 draws the rest there, against packing', () => {
    const { hosts } = placeAll(threeHosts(), [{ group: 'together', pinHost: 'h-2' }, { group: 'together' }, { group: 'together' }]);
    expect(hosts).toEqual(['h-2', 'h-2', 'h-2']);
  });
});

describe('soft rules weigh, never refuse', () => {
  it('soft anti-affinity spreads where packing would stack', () => {
    const { hosts } = placeAll(threeHosts(), times(4, { group: 'soft-apart' }));
    expect(hosts.slice(0, 3).sort()).toEqual(['h-0', 'h-1', 'h-2']);
    expect(hosts[3]).toBe('h-0'); // one each: packing breaks the tie
  });

  it('soft anti-affinity on one host still places every member there', () => {
    const one = fleet().host({ name: 'solo' }).group('soft-apart', 'ANTI_AFFINITY', { enforcement: 'SOFT' }).build();
    expect(placeAll(one, times(3, { group: 'soft-apart' })).hosts).toEqual(['solo', 'solo', 'solo']);
  });

  it('soft affinity follows the members under SPREAD, which alone would pick the emptiest host', () => {
    const opts = { strategy: 'SPREAD' as const };
    let s = threeHosts();
    const hosts: string[] = [];
    for (let k = 0; k < 3; k++) {
      const plan = planOf(place(s, vm({ name: `vm${k}`, group: 'soft-together' }), opts));
      hosts.push(plan.hostName);
      s = applyPlan(s, plan, opts);
    }
    expect(new Set(hosts).size).toBe(1);
    const score = planOf(place(s, vm({ name: 'vm3', group: 'soft-together' }), opts)).score.breakdown.find((b) => b.weigher === 'group');
    expect(score).toMatchObject({ value: 3, weight: 1000 });
  });
});

describe('groups and the index', () => {
  it('GROUP_UNKNOWN is a request reason: no host is examined', () => {
    const r = place(threeHosts(), vm({ group: 'missing' }));
    expect(r.ok ? null : r.rejection.requestReasons).toEqual([{ code: 'GROUP_UNKNOWN', detail: 'no affinity group "missing"' }]);
  });

  it('a kept index answers like the pure functions as members come and go (cached scores never outlive a group change)', () => {
    const snap = threeHosts();
    const index = new PlacementIndex(snap);
    const hosts: string[] = [];
    for (const [k, g] of ['together', 'apart', 'together', 'apart', 'apart', 'together'].entries()) {
      const r = index.place(vm({ name: `vm${k}`, group: g }));
      const plan = planOf(r);
      hosts.push(`${g}@${plan.hostName}`);
      index.apply(plan);
    }
    expect(hosts).toEqual(['together@h-0', 'apart@h-0', 'together@h-0', 'apart@h-1', 'apart@h-2', 'together@h-0']);
    expect(reasonsOf(index.place(vm({ name: 'late', group: 'apart' })))).toEqual(['GROUP_ANTI_AFFINITY']);
    index.release('vm3');
    expect(planOf(index.place(vm({ name: 'late', group: 'apart' }))).hostName).toBe('h-1');
  });
});

describe('capacity with groups', () => {
  it('hard anti-affinity: at most maxPerHost more per host, members already placed counted', () => {
    const { snapshot } = placeAll(threeHosts(), [{ group: 'apart2' }]);
    const c = capacity(snapshot, vm({ group: 'apart2' }));
    expect(c.perHost.map((h) => [h.hostName, h.count])).toEqual([
      ['h-0', 1],
      ['h-1', 2],
      ['h-2', 2],
    ]);
    expect(c.total).toBe(5);
  });

  it('hard affinity without members: only the host the first would land on counts; with members, only theirs', () => {
    const alone = capacity(threeHosts(), vm({ group: 'together' }));
    expect(alone.perHost.map((h) => h.hostName)).toEqual(['h-0']);
    expect(alone.total).toBe(capacity(threeHosts(), vm({})).perHost[0].count);
    const { snapshot } = placeAll(threeHosts(), [{ group: 'together', pinHost: 'h-1' }]);
    expect(capacity(snapshot, vm({ group: 'together' })).perHost.map((h) => h.hostName)).toEqual(['h-1']);
  });

  it('soft groups change where, not how many', () => {
    expect(capacity(threeHosts(), vm({ group: 'soft-apart' })).total).toBe(capacity(threeHosts(), vm({})).total);
  });
});
